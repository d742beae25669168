// `pgarch plan FROM TO` as a library call. FROM is built (or, for a URL, copied as DDL) into a scratch
// engine; the diff is probed there in a transaction that is rolled back (which statement rewrote its
// table); the plan is built; then every migration of it is applied to the scratch in order, each one's
// down step is read off the catalog (the diff from after to before), and the end must equal TO. Last,
// the migrations are written to a temporary folder and linted by our migration lint on FROM's catalog
// with every table sized by --assume-rows: an error finding there is a bug of the plan, not the user's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../engine/index.js';
import type { Engine } from '../engine/types.js';
import { InputError } from '../lint/files.js';
import { lintMigrations } from '../migrate/lint.js';
import type { Finding } from '../types.js';
import { diffObjects, type DiffStatement } from './diff.js';
import { readDiffObjects, type DiffObject } from './objects.js';
import { buildPlan, dropConcurrently, likelyRenames, parseRenames, type Plan, type PlanMigration, type TableInfo } from './plan.js';
import { writePlan } from './plan-write.js';
import { buildFromFiles } from './sources.js';

export interface PlanSourcesOptions {
  renames?: string[];
  allowDestructive?: boolean;
  lockTimeoutMs?: number;
  batch?: number;
  /** Rows each of FROM's tables is linted as holding (default 1,000,000). */
  assumeRows?: number;
  /** Skip the lint of the plan (it is on by default). */
  noLint?: boolean;
  progress?: (message: string) => void;
}

export interface PlanResult extends Plan {
  from: string;
  to: string;
  /** The plain diff the plan was made from. */
  statements: DiffStatement[];
  /** The lint's findings on the plan, each placed in its migration (`<nn>_<name>.sql`). */
  findings: Finding[];
  elapsedMs: number;
}

/** Raised when the plan, applied to a copy of FROM, fails or does not reach TO: a bug of pgarch. */
export class PlanFailure extends Error {}

const isUrl = (source: string) => /^postgres(ql)?:\/\//i.test(source);

export async function planSources(from: string, to: string, options: PlanSourcesOptions = {}): Promise<PlanResult> {
  const started = performance.now();
  (options.progress ?? (() => {}))('building both sides');
  // TO first: the extensions it creates must be loadable in FROM's scratch engine, where the plan creates them.
  const toObjects = await objectsOf(to);
  const fromEngine = await scratchOf(from, toObjects.filter((o) => o.kind === 'extension').map((o) => o.name));
  try {
    const plan = await planOnEngine(fromEngine, toObjects, options);
    return { ...plan, from, to, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    await fromEngine.close();
  }
}

/**
 * The plan from the schema in `fromEngine` to `toObjects`. The engine is the scratch the plan is tried
 * on: it holds TO's schema afterwards (or what the plan reached, when it throws PlanFailure).
 */
export async function planOnEngine(fromEngine: Engine, toObjects: DiffObject[], options: PlanSourcesOptions = {}): Promise<Omit<PlanResult, 'from' | 'to' | 'elapsedMs'>> {
  const say = options.progress ?? (() => {});
  const fromObjects = await readDiffObjects(fromEngine);
  const statements = diffObjects(fromObjects, toObjects);
  const renames = parseRenames(options.renames ?? [], fromObjects, toObjects);
  const likely = options.allowDestructive ? [] : likelyRenames(fromObjects, toObjects, renames);
  if (likely.length) throw new InputError(`columns that look renamed would be dropped with their data:\n${likely.map((l) => `  ${l}`).join('\n')}\n(or --allow-destructive to drop them)`);
  say('probing which statements rewrite a table');
  const rewrote = await probeRewrites(fromEngine, statements, fromObjects, toObjects);
  const tables = await tableInfo(fromEngine);
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  const plan = buildPlan(fromObjects, toObjects, statements, { renames, allowDestructive: Boolean(options.allowDestructive), lockTimeoutMs, batch: options.batch ?? 1000, rewrote: (i) => rewrote.get(i), tables });
  say(`applying the ${plan.migrations.length} migrations to a copy of FROM`);
  await applyWithDowns(fromEngine, plan.migrations);
  const left = diffObjects(await readDiffObjects(fromEngine), toObjects);
  if (left.length) throw new PlanFailure(`the plan does not reach TO; still different after it:\n${left.slice(0, 10).map((s) => `  ${s.sql}`).join('\n')}`);
  let findings: Finding[] = [];
  if (!options.noLint && plan.migrations.length) {
    say('linting the plan');
    findings = await lintPlan(plan.migrations, fromObjects, toObjects, tables, options.assumeRows ?? 1_000_000);
  }
  return { ...plan, statements, findings };
}

/** FROM in an engine of its own that the plan may change: files applied, or a URL's schema copied as DDL (the URL itself is only read). */
async function scratchOf(source: string, moreExtensions: string[]): Promise<Engine> {
  if (!isUrl(source)) return buildFromFiles([source], moreExtensions);
  const objects = await objectsOf(source);
  const extensions = [...new Set([...objects.filter((o) => o.kind === 'extension').map((o) => o.name), ...moreExtensions])];
  const engine = await openEngine({ extensions });
  try {
    for (const sql of schemaScript(objects)) await engine.exec(sql);
    return engine;
  } catch (error) {
    await engine.close();
    throw new InputError(`${source}: its schema could not be copied into a scratch engine: ${(error as Error).message}`);
  }
}

async function objectsOf(source: string): Promise<DiffObject[]> {
  const engine = isUrl(source) ? await openEngine({ database: source, readOnly: true }) : await buildFromFiles([source]);
  try {
    return await readDiffObjects(engine);
  } finally {
    await engine.close();
  }
}

// The statements whose rewrite decides their form: a column added (a volatile default) or retyped.
const probed = (s: DiffStatement) => s.kind === 'column' && (s.action === 'create' || s.change === 'type');

/**
 * Runs the diff on FROM in one transaction, rolled back, and records for each probed statement whether
 * its table's relfilenode changed (PostgreSQL copied the rows). A statement that fails ends the probe:
 * what it did not reach stays unknown, which the plan treats as a rewrite.
 */
async function probeRewrites(engine: Engine, statements: DiffStatement[], from: DiffObject[], to: DiffObject[]): Promise<Map<number, boolean>> {
  const out = new Map<number, boolean>();
  if (!statements.some(probed)) return out;
  const tables = new Set(from.filter((o) => o.kind === 'table').map((o) => o.name));
  // A column's table, from TO (a column added) or FROM (one retyped).
  const tableOf = new Map([...from, ...to].filter((o) => o.kind === 'column').map((o) => [o.key, String(o.details!.table)]));
  const node = async (table: string) => (await engine.query<{ node: string | null }>(`select relfilenode::text as node from pg_class where oid = to_regclass($1)`, [table])).rows[0]?.node ?? null;
  await engine.exec('BEGIN');
  try {
    for (const [i, s] of statements.entries()) {
      const table = probed(s) ? tableOf.get(s.object) : undefined;
      const watched = table && tables.has(table) ? table : undefined;
      const before = watched ? await node(watched) : null;
      try {
        await engine.exec(s.sql);
      } catch {
        break;
      }
      if (watched) out.set(i, (await node(watched)) !== before);
    }
  } finally {
    await engine.exec('ROLLBACK');
  }
  return out;
}

async function tableInfo(engine: Engine): Promise<Map<string, TableInfo>> {
  // Named as the diff's objects name tables (quote_ident of schema and name, as regclass prints them under search_path = pg_catalog).
  const { rows } = await engine.query<{ table: string; schema: string; name: string; partitioned: boolean; key: string | null; type: string | null }>(
    `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as table, n.nspname as schema, c.relname as name, c.relkind = 'p' as partitioned,
            quote_ident(a.attname) as key, format_type(a.atttypid, a.atttypmod) as type
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       left join pg_constraint k on k.conrelid = c.oid and k.contype = 'p' and cardinality(k.conkey) = 1
       left join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
      where c.relkind in ('r', 'p') and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'`,
  );
  return new Map(rows.map((r) => [r.table, { schema: r.schema, name: r.name, partitioned: r.partitioned, key: r.key && r.type ? { column: r.key, type: r.type } : undefined }]));
}

/**
 * Applies each migration as a runner would (a transactional one in BEGIN…COMMIT, the others statement by
 * statement) and sets its down step to what takes the catalog back: the diff from after to before.
 */
async function applyWithDowns(engine: Engine, migrations: PlanMigration[]): Promise<void> {
  let before = await readDiffObjects(engine);
  for (const [i, m] of migrations.entries()) {
    try {
      if (m.transactional) {
        await engine.exec('BEGIN');
        for (const s of m.statements) await engine.exec(s);
        await engine.exec('COMMIT');
      } else {
        for (const s of m.statements) await engine.exec(s);
      }
    } catch (error) {
      if (m.transactional) await engine.exec('ROLLBACK').catch(() => {});
      throw new PlanFailure(`migration ${i + 1} of the plan (${m.name}) fails on a copy of FROM: ${(error as Error).message}`);
    }
    const after = await readDiffObjects(engine);
    const down = diffObjects(after, before).map((s) => s.sql);
    // A backfill changes rows only, in columns the expand phase added and its down drops: nothing of its own to undo.
    if (!down.length) down.push(`SELECT 1; -- nothing to undo: ${m.phase === 'backfill' ? 'the backfill only filled columns that the expand migrations add and their down steps drop' : 'the catalog is the same before and after'}`);
    m.down = m.transactional ? down : down.map(dropConcurrently);
    before = after;
  }
}

/** The DDL that makes the objects in a new database (which has its public schema already). */
function schemaScript(objects: DiffObject[]): string[] {
  return diffObjects([], objects)
    .filter((s) => s.object !== 'schema public')
    .map((s) => s.sql);
}

/** The plan written as pgarch's own migrations in a temporary folder and linted there, FROM as the catalog before it. */
async function lintPlan(migrations: PlanMigration[], from: DiffObject[], to: DiffObject[], tables: Map<string, TableInfo>, rows: number): Promise<Finding[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-plan-'));
  try {
    const files = writePlan(join(dir, 'migrations'), migrations);
    // pgarch's own layout writes one file per migration: a finding is placed by the migration's name.
    const names = new Map(files.map((f, i) => [f, `${String(i + 1).padStart(2, '0')}_${migrations[i].name}`]));
    const assumeRows = Object.fromEntries([...tables.values()].map((t) => [`${t.schema}.${t.name}`, rows]));
    // Roles are the cluster's, not the schema's: the ones FROM's and the plan's grants name are made in the lint's own scratch engine.
    const roles = [...new Set(from.concat(to).filter((o) => o.kind === 'grant' && o.details?.grantee && o.details.grantee !== 'PUBLIC').map((o) => String(o.details!.grantee)))];
    const makeRoles = roles.map((r) => `DO $pgarch$ BEGIN CREATE ROLE ${r}; EXCEPTION WHEN duplicate_object THEN NULL; END $pgarch$;`);
    writeFileSync(join(dir, 'from.sql'), [...makeRoles, ...schemaScript(from)].join('\n') + '\n');
    const result = await lintMigrations({ paths: [join(dir, 'migrations')], setup: [join(dir, 'from.sql')], assumeRows });
    return result.report.findings.map((f) => (f.location?.file ? { ...f, location: { ...f.location, file: names.get(f.location.file) ?? f.location.file } } : f));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
