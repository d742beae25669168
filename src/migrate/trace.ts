// `pgarch trace`: run each statement of a migration in its own transaction and measure what it does —
// the locks it holds (read from pg_locks before COMMIT), the relations it rewrote (relfilenode before
// vs after), and how long it took — on seeded data when asked.
import { openEngine } from '../engine/index.js';
import type { Engine } from '../engine/types.js';
import { toEngineError } from '../engine/types.js';
import { applyFiles, extensionsUsed, isCopyFromStdin, transactionControl } from '../lint/apply.js';
import { applyEnvironment, loadEnvironment, resolveProfile } from '../lint/environment.js';
import { InputError, readInputFile } from '../lint/files.js';
import type { AnyNode } from '../rules/types.js';
import { loadParser, type Statement } from '../sql/parse.js';
import { VERSION } from '../version.js';
import { locateMigration } from './layouts/index.js';
import { parseMigration } from './parse-migration.js';
import { blockedBy, documentedLock, isLockMode, type LockMode } from './locks.js';
import { seedTables } from './seed.js';

export interface TraceOptions {
  database?: string;
  /** The environment: SQL applied first and never traced (roles, schemas, extensions a platform provides). */
  setup?: string[];
  /** The platform profile (supabase adds its environment); detected from supabase/config.toml when absent. */
  profile?: 'default' | 'supabase';
  /** Do not apply the migrations before the traced one in its layout. */
  noHistory?: boolean;
  /** Rows to seed per table before tracing (`schema.table` or `table`). */
  rows?: Record<string, number>;
  progress?: (done: number, total: number) => void;
}

export interface TracedLock {
  relation: string;
  kind: 'table' | 'index' | 'sequence' | 'view' | 'other';
  mode: LockMode;
  blocks: string[];
}

export interface TracedStatement {
  index: number;
  line: number;
  column: number;
  /** First line of the statement, for display. */
  summary: string;
  durationMs: number;
  /** Measured in the statement's own transaction; `documented` for statements that cannot run in one. */
  locks: TracedLock[];
  measured: boolean;
  /**
   * On a server scratch that could not commit before this statement (the SQL changed roles): how many
   * relations were already locked by the run; a lock the statement takes on one of them in the same
   * mode is not seen.
   */
  locksHeldBefore?: number;
  /** Relations whose relfilenode changed: the data was copied. */
  rewrites: Array<{ relation: string; kind: 'table' | 'index' | 'other' }>;
  error?: string;
  skipped?: string;
}

export interface TraceResult {
  tool: 'pgarch';
  version: string;
  file: string;
  engine: string;
  /** The layout the traced file was found in. */
  layout?: string;
  /** The migrations applied before it (in its layout's order), and their statements that failed. */
  history: { migrations: number; failed: Array<{ file: string; line: number; column: number; message: string }> };
  seeded: Record<string, number>;
  statements: TracedStatement[];
}

// Statements that refuse a transaction block: traced outside one, locks from the documentation.
function needsNoTransaction(stmt: Statement): boolean {
  const n = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  if (stmt.kind === 'IndexStmt' || stmt.kind === 'DropStmt') return Boolean(n.concurrent);
  if (stmt.kind === 'ReindexStmt') return (n.params ?? []).some((p: AnyNode) => p.DefElem?.defname === 'concurrently');
  if (stmt.kind === 'VacuumStmt') return Boolean(n.is_vacuumcmd);
  if (stmt.kind === 'AlterTableStmt') return (n.cmds ?? []).some((c: AnyNode) => c.AlterTableCmd?.def?.PartitionCmd?.concurrent);
  return ['CreatedbStmt', 'DropdbStmt', 'AlterSystemStmt'].includes(stmt.kind);
}

const KIND: Record<string, TracedLock['kind']> = { r: 'table', p: 'table', i: 'index', I: 'index', S: 'sequence', v: 'view', m: 'view' };

export async function traceFile(path: string, options: TraceOptions = {}): Promise<TraceResult> {
  const text = readInputFile(path);
  await loadParser();
  // The file as its tool runs it (goose and dbmate up sections), after the migrations before it.
  const located = locateMigration(path);
  const self = located ? { ...located.set.migrations[located.index], file: path } : { id: path, file: path, text, up: { start: 0, end: text.length }, layout: 'file' as const, transaction: 'none' as const };
  const parsed = parseMigration(self);
  if (parsed.findings.some((f) => f.rule === 'syntax-error')) {
    const f = parsed.findings.find((x) => x.rule === 'syntax-error')!;
    throw new InputError(`${path}:${f.location?.line}:${f.location?.column}: ${f.message}`);
  }
  const history = options.noHistory || !located ? [] : located.set.migrations.slice(0, located.index).map(parseMigration);
  const set = located?.set;
  const env = await loadEnvironment({
    profile: resolveProfile([path], options.profile),
    setup: [...(set?.setup ?? []), ...(options.setup ?? [])],
    bookkeeping: set?.bookkeeping ? [{ tool: set.tool, sql: set.bookkeeping }] : [],
  });
  const extensions = [...env.extensions, ...extensionsUsed([...history, parsed])];

  const engine = await openEngine({ database: options.database, scratch: true, extensions });
  try {
    // What failed before the traced file is said, not fatal: the trace measures what did apply.
    const failed = [...(await applyEnvironment(engine, env)).findings, ...(await applyFiles(engine, history))]
      .filter((f) => f.severity !== 'info')
      .map((f) => ({ file: f.location?.file ?? '', line: f.location?.line ?? 0, column: f.location?.column ?? 0, message: f.message }));
    const seeded = await seedTables(engine, options.rows ?? {}, ' before the traced migration');
    const statements: TracedStatement[] = [];
    for (const stmt of parsed.statements) {
      options.progress?.(stmt.index, parsed.statements.length);
      statements.push(await traceStatement(engine, stmt));
    }
    return {
      tool: 'pgarch',
      version: VERSION,
      file: path,
      engine: await describe(engine),
      ...(located ? { layout: located.set.layout } : {}),
      history: { migrations: history.length, failed },
      seeded,
      statements,
    };
  } finally {
    await engine.close();
  }
}

async function describe(engine: Engine): Promise<string> {
  await engine.version();
  return engine.description;
}

const RELFILENODES = `
select c.oid::int8::float8 as oid, n.nspname || '.' || c.relname as name, c.relkind::text as kind, c.relfilenode::int8::float8 as node
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'i', 'I', 'm', 't') and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'`;

const OWN_LOCKS = `
select n.nspname || '.' || c.relname as relation, c.relkind::text as kind, l.mode
from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted
  and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'`;

type NodeRow = { oid: number; name: string; kind: string; node: number };

async function traceStatement(engine: Engine, stmt: Statement): Promise<TracedStatement> {
  const base = { index: stmt.index, line: stmt.line, column: stmt.column, summary: stmt.text.split('\n')[0].slice(0, 80) };
  if (transactionControl(stmt)) return { ...base, durationMs: 0, locks: [], measured: false, rewrites: [], skipped: 'transaction control: each statement is traced in a transaction of its own' };
  if (isCopyFromStdin(stmt)) return { ...base, durationMs: 0, locks: [], measured: false, rewrites: [], skipped: 'COPY FROM stdin: its data is not part of the trace' };

  // A server scratch runs everything in one transaction of its own: commit what came before, so the
  // locks this statement takes are the only ones held. When it cannot (the SQL changed roles, which
  // must be rolled back at the end), the locks already held are subtracted and cannot be seen again.
  const clean = engine.checkpoint ? await engine.checkpoint() : true;
  const heldBefore = clean ? [] : (await engine.query<{ relation: string; kind: string; mode: string }>(OWN_LOCKS)).rows;
  const before = (await engine.query<NodeRow>(RELFILENODES)).rows;
  const outside = needsNoTransaction(stmt);
  let locks: TracedLock[] = [];
  let durationMs = 0;
  let error: string | undefined;
  if (outside) {
    const t = performance.now();
    try {
      await engine.exec(stmt.text);
    } catch (e) {
      error = toEngineError(e).message;
    }
    durationMs = performance.now() - t;
    locks = documentedLocks(stmt);
  } else {
    await engine.exec('BEGIN');
    try {
      const t = performance.now();
      await engine.exec(stmt.text);
      durationMs = performance.now() - t;
      // Only relations that existed before the statement: nobody can be waiting on a new one.
      const existed = new Set(before.map((r) => r.name));
      const already = new Set(heldBefore.map((h) => `${h.relation} ${h.mode}`));
      const held = (await engine.query<{ relation: string; kind: string; mode: string }>(OWN_LOCKS)).rows.filter(
        (h) => existed.has(h.relation) && !already.has(`${h.relation} ${h.mode}`),
      );
      locks = summarizeLocks(held);
      await engine.exec('COMMIT');
    } catch (e) {
      error = toEngineError(e).message;
      await engine.exec('ROLLBACK').catch(() => {});
    }
  }
  // By name, not oid: ALTER COLUMN TYPE drops and recreates the indexes on the column under the same name.
  const after = new Map((await engine.query<NodeRow>(RELFILENODES)).rows.map((r) => [r.name, r]));
  const rewrites = before
    .filter((r) => after.has(r.name) && after.get(r.name)!.node !== r.node)
    .map((r) => ({ relation: r.name, kind: (r.kind === 'i' || r.kind === 'I' ? 'index' : r.kind === 'r' || r.kind === 'p' || r.kind === 'm' ? 'table' : 'other') as 'table' | 'index' | 'other' }));
  return {
    ...base,
    durationMs: Math.round(durationMs * 100) / 100,
    locks,
    measured: !outside,
    ...(heldBefore.length ? { locksHeldBefore: summarizeLocks(heldBefore).length } : {}),
    rewrites,
    error,
  };
}

/** The strongest lock per relation, tables first. */
function summarizeLocks(held: Array<{ relation: string; kind: string; mode: string }>): TracedLock[] {
  const strongest = new Map<string, { kind: string; mode: LockMode }>();
  const order = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
  for (const h of held) {
    if (!isLockMode(h.mode)) continue;
    const seen = strongest.get(h.relation);
    if (!seen || order.indexOf(h.mode) > order.indexOf(seen.mode)) strongest.set(h.relation, { kind: h.kind, mode: h.mode });
  }
  return [...strongest]
    // An index read while the table is locked says nothing new; an index locked exclusively does.
    .filter(([, { kind, mode }]) => (kind !== 'i' && kind !== 'I') || mode === 'AccessExclusiveLock')
    .map(([relation, { kind, mode }]) => ({ relation, kind: KIND[kind] ?? 'other', mode, blocks: blockedBy(mode) }))
    .sort((a, b) => (a.kind === b.kind ? a.relation.localeCompare(b.relation) : a.kind === 'table' ? -1 : b.kind === 'table' ? 1 : a.kind.localeCompare(b.kind)));
}

function documentedLocks(stmt: Statement): TracedLock[] {
  const mode = documentedLock(stmt.node as AnyNode, stmt.kind);
  const n = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  const rv = n.relation ?? n.rels?.[0]?.VacuumRelation?.relation;
  if (!mode) return [];
  const relation = rv ? `${rv.schemaname ?? ''}${rv.schemaname ? '.' : ''}${rv.relname}` : '(the object named)';
  return [{ relation, kind: 'table', mode, blocks: blockedBy(mode) }];
}
