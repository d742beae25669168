// The seed's migration review checklist, for each migration the review reports: pre-flight,
// performance, safety and rollback. Every item is decided by something pgarch did — a rule's finding
// at the migration's file, the parse tree of its up and down steps, the queries planned against the
// schema it leaves — or is marked "needs a human" with what to look at. Nothing is assumed to pass.
import { relative, resolve } from 'node:path';
import type { Migration } from '../migrate/layouts/types.js';
import type { RollbackStepError, RollbackTest } from '../migrate/rollback-test.js';
import { FULL_PASS_RULES, type RuntimeEstimate } from '../migrate/runtime-estimate.js';
import { parseFileSync, type Statement } from '../sql/parse.js';
import { walkNodes } from '../sql/tree.js';
import type { ChecklistItem, CheckStatus, Finding, MigrationChecklist } from '../types.js';

export type { ChecklistItem, MigrationChecklist };

/** Rules whose finding means the migration holds a lock that stops reads or writes of a table for long. */
const BLOCKING_LOCK_RULES = new Set([
  'create-index-non-concurrent', 'drop-index-non-concurrent', 'reindex-non-concurrent', 'set-not-null', 'change-column-type',
  'add-unique-constraint', 'add-exclusion-constraint', 'table-rewrite', 'add-column-volatile-default', 'add-column-serial',
  'add-generated-stored-column', 'add-column-not-null-no-default', 'vacuum-full', 'truncate', 'lock-held-after-exclusive',
  'detach-partition-non-concurrent', 'backfill-in-transaction', 'missing-lock-timeout',
]);
const EXECUTION_RULES = new Set(['syntax-error', 'execution-error', 'engine-failure', 'input-encoding']);

export interface ChecklistInput {
  /** Every migration of the history, in order (later ones may validate a constraint). */
  history: Migration[];
  /** The migrations to make a checklist for. */
  reported: Migration[];
  findings: Finding[];
  /** Findings of the project's queries (planned against the schema after the history), and how many were read. */
  queries?: { findings: Finding[]; statements: number };
  /** What ran the migrations, e.g. "PGlite (PostgreSQL 18)". */
  engine: string;
  /** Rollback tests (testRollback) of the migrations that have a down step, by the migration's file (Migration.file). */
  rollbacks?: Map<string, RollbackTest>;
  /**
   * Runtime estimates (estimateRuntime) of the statements that go through every row of a table whose size
   * is known (--assume-rows, --stats-from), by the migration's file (Migration.file).
   */
  runtimes?: Map<string, RuntimeEstimate[]>;
}

export function migrationChecklists(input: ChecklistInput): MigrationChecklist[] {
  const steps = new Map(input.history.map((m) => [m, readSteps(m)]));
  const validatedLater = (m: Migration): Set<string> => {
    const after = input.history.slice(input.history.indexOf(m));
    return new Set(after.flatMap((later) => steps.get(later)!.validated));
  };
  const usesRls = input.history.some((m) => steps.get(m)!.rlsEnabled.length > 0);
  // Findings by the file they are in, resolved once (a long history has thousands of each).
  const byFile = new Map<string, Finding[]>();
  for (const f of input.findings) {
    if (!f.location?.file) continue;
    const file = resolve(f.location.file);
    const list = byFile.get(file);
    if (list) list.push(f);
    else byFile.set(file, [f]);
  }
  return input.reported.map((m) => {
    const at = byFile.get(resolve(m.file)) ?? [];
    const s = steps.get(m)!;
    const items: ChecklistItem[] = [];
    const rulesOf = (set: ReadonlySet<string>) => [...new Set(at.filter((f) => set.has(f.rule) && f.severity !== 'info').map((f) => f.rule))];
    const before = input.history.indexOf(m);

    // Pre-flight.
    const failed = rulesOf(EXECUTION_RULES);
    items.push(
      failed.length
        ? item('ran-on-copy', 'pre-flight', 'Tested on a copy', 'fail', `It failed when pgarch ran it on ${input.engine} ${after(before)}.`, failed)
        : item('ran-on-copy', 'pre-flight', 'Tested on a copy', 'pass', `pgarch ran it on ${input.engine} ${after(before)}.`),
    );
    const fullPass = rulesOf(FULL_PASS_RULES);
    const runtimes = input.runtimes?.get(m.file);
    items.push(
      runtimes?.length
        ? runtimeItem(m, at, fullPass, runtimes)
        : fullPass.length
        ? item('runtime', 'pre-flight', 'Runtime at today\'s table sizes, and at 10x', 'human', `It reads or rewrites every row of an existing table (${fullPass.join(', ')}): its time grows with the table. Measure it: pgarch trace ${relative(process.cwd(), m.file)} --rows TABLE=N at today's rows and at 10x.`, fullPass)
        : item('runtime', 'pre-flight', 'Runtime at today\'s table sizes, and at 10x', 'pass', s.touchesExisting ? 'No statement reads or rewrites every row of an existing table.' : 'It only creates new objects: there are no rows to go through yet.'),
    );
    const locks = rulesOf(BLOCKING_LOCK_RULES);
    items.push(
      locks.length
        ? item('no-full-table-locks', 'pre-flight', 'No long locks on hot tables', 'fail', `Its findings say it holds a lock that blocks the table's reads or writes for long, or waits for one without a lock_timeout: ${locks.join(', ')}.`, locks)
        : item('no-full-table-locks', 'pre-flight', 'No long locks on hot tables', 'pass', 'No statement takes a lock that blocks a table for long.'),
    );
    items.push(
      at.some((f) => f.rule === 'backfill-in-transaction')
        ? item('backfill-batched', 'pre-flight', 'Backfills batched', 'fail', 'It updates existing rows in the same transaction as the schema change: every row stays locked until the end.', ['backfill-in-transaction'])
        : s.writesExisting.length
          ? item('backfill-batched', 'pre-flight', 'Backfills batched', 'human', `It writes rows of ${[...new Set(s.writesExisting)].join(', ')} outside a schema change, each statement in one go: on a large table, batch it (UPDATE … WHERE id BETWEEN …, one transaction per batch) so locks and WAL stay small.`)
          : item('backfill-batched', 'pre-flight', 'Backfills batched', 'pass', s.writesRows ? 'It writes rows only into tables it creates.' : 'It writes no rows.'),
    );
    items.push(
      s.downStatements > 0
        ? item('down-exists', 'pre-flight', 'A down migration exists', 'pass', `Its down step has ${s.downStatements} statement${s.downStatements === 1 ? '' : 's'}.`)
        : m.down
          ? item('down-exists', 'pre-flight', 'A down migration exists', 'fail', 'Its down step is empty.')
          : item('down-exists', 'pre-flight', 'A down migration exists', 'human', `The ${m.layout} layout keeps no down step with it: a rollback is a new migration, to be written before it is needed.`),
    );

    // Performance.
    const onExisting = s.newIndexes.filter((i) => !s.created.includes(i.table));
    items.push(
      onExisting.length
        ? item('index-write-cost', 'performance', 'New indexes\' write cost', 'human', `${onExisting.length} new index${onExisting.length === 1 ? '' : 'es'} on existing tables (${[...new Set(onExisting.map((i) => i.table))].join(', ')}): every INSERT, and every UPDATE of the indexed columns, maintains ${onExisting.length === 1 ? 'it' : 'them'}. Weigh that against the reads ${onExisting.length === 1 ? 'it serves' : 'they serve'} (pgarch advise indexes).`)
        : item('index-write-cost', 'performance', 'New indexes\' write cost', 'pass', s.newIndexes.length ? 'Its indexes are on tables it creates: no existing writes pay for them yet.' : 'It creates no index.'),
    );
    items.push(plansValidated(s, input.queries));
    items.push(item('no-seq-scans', 'performance', 'No sequential scans on large tables', 'human', 'Needs data: pgarch explain QUERY --schema … --rows TABLE=N (or --database) shows each query\'s plan at a size you choose.'));

    // Safety.
    const noOnDelete = at.filter((f) => f.rule === 'fk-missing-on-delete');
    const defaulted = s.foreignKeys.filter((fk) => fk.onDelete === 'a');
    items.push(
      noOnDelete.length
        ? item('fk-on-delete', 'safety', 'Foreign keys say ON DELETE', 'fail', `${noOnDelete.length} foreign key${noOnDelete.length === 1 ? '' : 's'} of a child that belongs to its parent without ON DELETE: deleting a parent row fails until code deletes its children.`, ['fk-missing-on-delete'])
        : defaulted.length
          ? item('fk-on-delete', 'safety', 'Foreign keys say ON DELETE', 'human', `${pairs(defaulted)} leave${defaulted.length === 1 ? 's' : ''} ON DELETE at NO ACTION: deleting a parent row fails while it has children. Say CASCADE, RESTRICT or SET NULL, whichever deleting one should do.`)
          : item('fk-on-delete', 'safety', 'Foreign keys say ON DELETE', 'pass', s.foreignKeys.length ? 'Its foreign keys say what happens on delete.' : 'It adds no foreign key.'),
    );
    const later = validatedLater(m);
    const unvalidated = s.notValid.filter((c) => !later.has(c));
    items.push(
      unvalidated.length
        ? item('constraints-validated', 'safety', 'Constraints validated', 'fail', `Added NOT VALID and validated by no migration since: ${unvalidated.join(', ')}. Old rows are unchecked until ALTER TABLE … VALIDATE CONSTRAINT.`)
        : item('constraints-validated', 'safety', 'Constraints validated', 'pass', s.notValid.length ? `${s.notValid.join(', ')}: validated by a later migration.` : 'It adds no NOT VALID constraint.'),
    );
    const withoutRls = s.created.filter((t) => !s.rlsEnabled.includes(t));
    items.push(
      !s.created.length
        ? item('rls-new-tables', 'safety', 'Row-level security on new tables', 'pass', 'It creates no table.')
        : usesRls && withoutRls.length
          ? item('rls-new-tables', 'safety', 'Row-level security on new tables', 'fail', `The project uses row-level security, and ${withoutRls.join(', ')} ${withoutRls.length === 1 ? 'has' : 'have'} none.`)
          : item('rls-new-tables', 'safety', 'Row-level security on new tables', usesRls ? 'pass' : 'human', usesRls ? 'Its new tables enable row-level security.' : `No migration enables row-level security: check that ${s.created.join(', ')} need${s.created.length === 1 ? 's' : ''} none (an API that exposes tables to users does).`),
    );

    // Rollback.
    const losing = [...s.dropsData, ...rulesOf(new Set(['irreversible-migration']))];
    items.push(
      losing.length
        ? item('reversible', 'rollback', 'Reversible without data loss', 'fail', `Rolling it back cannot bring the data back: ${losing.join(', ')}.`)
        : s.downDrops.length
          ? item('reversible', 'rollback', 'Reversible without data loss', 'human', `In its down step ${s.downDrops.join(', ')}: rolled back once it has run in production, it deletes the rows written since.`)
          : s.downStatements > 0
          ? item('reversible', 'rollback', 'Reversible without data loss', 'pass', 'It removes no data, and its down step undoes it.')
          : item('reversible', 'rollback', 'Reversible without data loss', 'human', 'It removes no data, but there is no down step to undo it with.'),
    );
    items.push(rollbackTested(s, rollbackOf(input.rollbacks, m.file), input.engine));
    return { migration: m.id, file: m.file, items };
  });
}

function rollbackTested(s: Steps, test: RollbackTest | undefined, engine: string): ChecklistItem {
  const title = 'Rollback tested (down, then up)';
  if (!test) return item('rollback-tested', 'rollback', title, 'human', s.downStatements > 0 ? 'Run its down step and then its up step again on a copy: pgarch did not test it in this run.' : 'There is no down step to test.');
  if (test.downError) return item('rollback-tested', 'rollback', title, 'fail', `Its down step failed when pgarch ran it on ${engine} after its up step, ${whereFailed(test.downError)}: ${test.downError.message}.`);
  if (test.upError) return item('rollback-tested', 'rollback', title, 'fail', `After its down step, its up step failed when pgarch ran it again on ${engine}, ${whereFailed(test.upError)}: ${test.upError.message}. Rolled back and deployed again, it would stop there.`);
  if (test.status === 'fail') {
    const shown = test.differences.slice(0, 5);
    const more = test.differences.length - shown.length;
    return item('rollback-tested', 'rollback', title, 'fail', `pgarch ran its down step and its up step again on ${engine}: the schema did not come back the same (${shown.join('; ')}${more ? `; and ${more} more` : ''}).`);
  }
  return item('rollback-tested', 'rollback', title, 'pass', `pgarch ran its down step and its up step again on ${engine}: the schema came back the same.`);
}

/** "at line 12 of 0003_down.sql (statement 2)": where a step failed. */
function whereFailed(e: RollbackStepError): string {
  return `at line ${e.line}${e.file ? ` of ${relative(process.cwd(), e.file)}` : ''}${e.statement ? ` (statement ${e.statement})` : ''}`;
}

function rollbackOf(tests: Map<string, RollbackTest> | undefined, file: string): RollbackTest | undefined {
  if (!tests) return undefined;
  return tests.get(file) ?? [...tests].find(([key]) => relative(key, file) === '')?.[1];
}

/**
 * The seed's rule is "design for 10x", so the item is judged at 10 times today's rows. It passes when
 * every statement stays under a second there: even one that holds a lock blocking the table then stalls
 * its queries for less than a second, inside any request's timeout and within the few seconds a
 * lock_timeout is usually given. It fails when a statement holding such a lock would take more than a
 * minute at 10x: every query of the table waits that long, an outage. In between, a human weighs it
 * against the table's traffic and the deploy window.
 */
const RUNTIME_PASS_AT_10X_MS = 1000;
const RUNTIME_FAIL_AT_10X_MS = 60_000;

function runtimeItem(m: Migration, at: Finding[], fullPass: string[], estimates: RuntimeEstimate[]): ChecklistItem {
  const title = 'Runtime at today\'s table sizes, and at 10x';
  const within = (f: Finding, e: RuntimeEstimate) => f.location?.line !== undefined && f.location.line >= e.statement.line && f.location.line <= e.statement.endLine;
  const decided = (rules: ReadonlySet<string>) => at.filter((f) => rules.has(f.rule) && f.severity !== 'info');
  const blocking = decided(BLOCKING_LOCK_RULES);
  const locksOf = (e: RuntimeEstimate) => [...new Set(blocking.filter((f) => within(f, e)).map((f) => f.rule))];
  // Statements that go through every row but were not estimated (VACUUM FULL, one that failed on seeded rows).
  const unestimated = decided(FULL_PASS_RULES).filter((f) => !estimates.some((e) => within(f, e)));
  const sum = (key: 'atRowsMs' | 'at10xMs') => estimates.reduce((n, e) => n + e[key], 0);
  const sizes = new Map<string, number>();
  for (const e of estimates) for (const t of e.tables) sizes.set(t.schema === 'public' ? t.name : `${t.schema}.${t.name}`, t.rows);
  const sized = [...sizes].map(([name, rows]) => `${count(rows)} rows of ${name}`).join(', ');
  const sampled = [...new Set(estimates.map((e) => e.sampledRows))].map(count).join(' or ');
  const engines = [...new Set(estimates.map((e) => e.engine))].join(', ');
  const each = estimates.length > 1 ? ` (${estimates.map((e) => `line ${e.statement.line} ${duration(e.atRowsMs)}, ${duration(e.at10xMs)} at 10x`).join('; ')})` : ` (line ${estimates[0].statement.line}: ${estimates[0].statement.summary})`;
  const timedAs = estimates.filter((e) => e.timedAs).map((e) => `line ${e.statement.line} was timed as ${e.timedAs}: ${e.note ?? 'expect longer'}`);
  const parts = [
    `About ${duration(sum('atRowsMs'))} at ${sized}, ${duration(sum('at10xMs'))} at 10x${each}; estimated from ${sampled} seeded rows on ${engines}, with the rows in memory (from disk, expect longer).`,
    ...timedAs,
  ];
  const slow = estimates.filter((e) => e.at10xMs > RUNTIME_FAIL_AT_10X_MS && locksOf(e).length);
  if (slow.length) {
    const rules = [...new Set(slow.flatMap(locksOf))];
    parts.push(`At 10x, ${slow.map((e) => `line ${e.statement.line}`).join(' and ')} would hold a lock that blocks the table for over a minute (${rules.join(', ')}): do it in steps that do not (a new column backfilled in batches, CONCURRENTLY, NOT VALID then VALIDATE CONSTRAINT).`);
    return item('runtime', 'pre-flight', title, 'fail', parts.join(' '), [...new Set([...fullPass, ...rules])]);
  }
  if (unestimated.length) {
    const lines = [...new Set(unestimated.map((f) => `line ${f.location?.line ?? '?'} (${f.rule})`))];
    parts.push(`Not estimated: ${lines.join(', ')}. Measure ${lines.length === 1 ? 'it' : 'them'}: pgarch trace ${relative(process.cwd(), m.file)} --rows TABLE=N at today's rows and at 10x.`);
    return item('runtime', 'pre-flight', title, 'human', parts.join(' '), fullPass);
  }
  if (estimates.some((e) => e.at10xMs >= RUNTIME_PASS_AT_10X_MS)) {
    parts.push(`Over a second at 10x: check that the table's ${blocking.length ? 'queries can wait' : 'load can bear'} that long, and that it fits the deploy window.`);
    return item('runtime', 'pre-flight', title, 'human', parts.join(' '), fullPass);
  }
  return item('runtime', 'pre-flight', title, 'pass', parts.join(' '), fullPass);
}

/** 1,000,000 */
const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** 120 ms, 2.1 s, 21 s, 4.5 min, 1.2 h */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 9_950 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function plansValidated(s: Steps, queries: ChecklistInput['queries']): ChecklistItem {
  const title = 'Plans validated';
  if (!queries || queries.statements === 0) return item('plans-validated', 'performance', title, 'human', 'The project has no queries folder: check the queries that read what it changes.');
  // A query that no longer runs against the schema the history builds, naming what this migration renamed or dropped.
  const broken = queries.findings.filter((f) => f.rule === 'execution-error' && s.gone.some((name) => mentions(f.message, name)));
  if (broken.length) {
    const where = broken.map((f) => `${relative(process.cwd(), f.location?.file ?? '')}:${f.location?.line ?? 0}`).join(', ');
    return item('plans-validated', 'performance', title, 'fail', `${broken.length} quer${broken.length === 1 ? 'y' : 'ies'} no longer run${broken.length === 1 ? 's' : ''} against the schema it leaves (${where}): ${broken[0].message}`, ['execution-error']);
  }
  const n = `${queries.statements} quer${queries.statements === 1 ? 'y' : 'ies'}`;
  return item('plans-validated', 'performance', title, 'pass', s.gone.length ? `The project's ${n}, planned against the schema after the history, read nothing it renames or drops.` : `It renames or drops nothing: the project's ${n} were planned against the schema after the history.`);
}

/** "transfers → accounts (2), entries → accounts": each table pair once, with how many keys. */
function pairs(fks: Steps['foreignKeys']): string {
  const counted = new Map<string, number>();
  for (const fk of fks) counted.set(`${fk.table} → ${fk.references}`, (counted.get(`${fk.table} → ${fk.references}`) ?? 0) + 1);
  return [...counted].map(([pair, n]) => (n > 1 ? `${pair} (${n} keys)` : pair)).join(', ');
}

const after = (n: number) => (n === 0 ? 'as the first migration' : `after the ${n} migration${n === 1 ? '' : 's'} before it`);

function item(id: string, group: ChecklistItem['group'], title: string, status: CheckStatus, detail: string, rules?: string[]): ChecklistItem {
  return { id, group, title, status, detail, ...(rules?.length ? { rules } : {}) };
}

/** What a migration's up and down steps do, read from their parse trees. */
interface Steps {
  /** Tables it creates. */
  created: string[];
  /** CREATE INDEX statements and their tables. */
  newIndexes: Array<{ table: string }>;
  /** It changes, writes or reads a table it did not create. */
  touchesExisting: boolean;
  writesRows: boolean;
  /** Tables it did not create whose rows it writes. */
  writesExisting: string[];
  /** Foreign keys it adds, with their ON DELETE action as the parser gives it ('a' NO ACTION, the default). */
  foreignKeys: Array<{ table: string; references: string; onDelete: string }>;
  /** Constraints added NOT VALID, and constraints validated. */
  notValid: string[];
  validated: string[];
  /** Tables it enables row-level security on. */
  rlsEnabled: string[];
  /** Names that no longer exist after it: renamed or dropped columns and tables. */
  gone: string[];
  /** What it removes with its data: dropped tables and columns, truncations. */
  dropsData: string[];
  downStatements: number;
  /** What its down step removes with its data ("table users is dropped"): rows written after the up step ran. */
  downDrops: string[];
}

type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function readSteps(m: Migration): Steps {
  const up = parseFileSync(m.text.slice(m.up.start, m.up.end), m.file).statements;
  const down = m.down ? parseFileSync(m.down.text.slice(m.down.start, m.down.end), m.down.file).statements : [];
  const s: Steps = { created: [], newIndexes: [], touchesExisting: false, writesRows: false, writesExisting: [], foreignKeys: [], notValid: [], validated: [], rlsEnabled: [], gone: [], dropsData: [], downStatements: down.filter(isStatement).length, downDrops: [] };
  for (const stmt of up) readStatement(stmt, s);
  // The down step read the same way: what it drops is what rolling back deletes.
  const undo: Steps = { ...s, created: [], gone: [], dropsData: [], foreignKeys: [], notValid: [], validated: [], rlsEnabled: [], newIndexes: [], writesExisting: [] };
  for (const stmt of down) readStatement(stmt, undo);
  s.downDrops = undo.dropsData;
  return s;
}

const isStatement = (stmt: Statement) => !['TransactionStmt', 'VariableSetStmt'].includes(stmt.kind);

function readStatement(stmt: Statement, s: Steps): void {
  const node = (stmt.node as Tree)[stmt.kind] as Tree;
  const existing = (table: string | undefined) => table !== undefined && !s.created.includes(table);
  switch (stmt.kind) {
    case 'CreateStmt':
      s.created.push(node.relation?.relname);
      break;
    case 'IndexStmt':
      s.newIndexes.push({ table: node.relation?.relname });
      if (existing(node.relation?.relname)) s.touchesExisting = true;
      break;
    case 'AlterTableStmt': {
      const table = node.relation?.relname as string | undefined;
      if (existing(table)) s.touchesExisting = true;
      for (const c of (node.cmds ?? []) as Tree[]) {
        const cmd = c.AlterTableCmd as Tree | undefined;
        if (!cmd) continue;
        if (cmd.subtype === 'AT_EnableRowSecurity' && table) s.rlsEnabled.push(table);
        if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name) s.validated.push(cmd.name);
        if (cmd.subtype === 'AT_DropColumn' && cmd.name) {
          s.gone.push(cmd.name);
          if (existing(table)) s.dropsData.push(`column ${table}.${cmd.name} is dropped`);
        }
        const constraint = cmd.def?.Constraint as Tree | undefined;
        if (constraint?.skip_validation && constraint.conname) s.notValid.push(constraint.conname);
      }
      break;
    }
    case 'RenameStmt':
      if (node.subname) s.gone.push(node.subname);
      else if (node.relation?.relname) s.gone.push(node.relation.relname);
      if (existing(node.relation?.relname)) s.touchesExisting = true;
      break;
    case 'DropStmt':
      if (node.removeType === 'OBJECT_TABLE') {
        for (const object of (node.objects ?? []) as Tree[]) {
          const parts = ((object.List?.items ?? []) as Tree[]).map((i) => i.String?.sval as string);
          const table = parts[parts.length - 1];
          if (!table) continue;
          s.gone.push(table);
          if (existing(table)) s.dropsData.push(`table ${table} is dropped`);
        }
      }
      break;
    case 'TruncateStmt':
      s.dropsData.push('a table is truncated');
      break;
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'InsertStmt':
    case 'MergeStmt':
      s.writesRows = true;
      if (existing(node.relation?.relname)) {
        s.touchesExisting = true;
        s.writesExisting.push(node.relation.relname);
      }
      if (stmt.kind === 'DeleteStmt' && !node.whereClause && existing(node.relation?.relname)) s.dropsData.push(`every row of ${node.relation.relname} is deleted`);
      break;
  }
  const owner = (node.relation?.relname as string | undefined) ?? '?';
  walkNodes(node, (n) => {
    const constraint = (n as Tree).Constraint as Tree | undefined;
    if (constraint?.contype === 'CONSTR_FOREIGN') s.foreignKeys.push({ table: owner, references: constraint.pktable?.relname ?? '?', onDelete: constraint.fk_del_action ?? 'a' });
  });
}

/** The message names it as PostgreSQL quotes names: "full_name". */
const mentions = (message: string, name: string) => message.includes(`"${name}"`);

