// How long a migration statement that goes through every row of a table takes at the table's real size,
// and at 10x: measured on a sample of synthetic rows (seed.ts) in the engine that holds the catalog as it
// stands right before the statement, then extrapolated. Everything runs behind a savepoint that is rolled
// back, so the catalog, the rows and the tables' files are as they were (see estimateRuntime).
import { readTableByName } from '../catalog/introspect.js';
import type { Table } from '../catalog/types.js';
import { withoutConcurrently } from '../engine/sandbox-statements.js';
import type { Engine } from '../engine/types.js';
import { isFatalEngineError, toEngineError } from '../engine/types.js';
import type { AnyNode } from '../rules/types.js';
import type { Statement } from '../sql/parse.js';
import { quoteQualified } from '../sql/quote.js';
import { parentsFirst, seedTable } from './seed.js';

/** Rules whose finding means the statement reads or rewrites every row of an existing table: what is estimated. */
export const FULL_PASS_RULES: ReadonlySet<string> = new Set([
  'set-not-null', 'change-column-type', 'table-rewrite', 'add-column-volatile-default', 'add-column-serial', 'add-generated-stored-column',
  'backfill-in-transaction', 'add-unique-constraint', 'create-index-non-concurrent', 'vacuum-full', 'constraint-not-valid',
]);

/** How time grows with rows: a pass over the rows, or a sort (an index build). */
export type RuntimeModel = 'linear' | 'n log n';

export interface RuntimeEstimate {
  /** The statement estimated: where it is and its first line. */
  statement: { file?: string; line: number; endLine: number; summary: string };
  /** The tables whose size was given: today's rows and the rows of the sample. */
  tables: Array<{ schema: string; name: string; rows: number; sampledRows: number }>;
  /** Tables the sample's foreign keys point at, seeded (when empty) only so the keys have parents; not scaled. */
  parents?: Array<{ schema: string; name: string; sampledRows: number }>;
  /** Rows of the sample, over the sized tables. */
  sampledRows: number;
  /** Time of the statement on the sample. */
  sampleMs: number;
  /** Time of the statement on the emptied tables: what it costs whatever the size. */
  fixedMs: number;
  /** Estimated time at today's rows, and at 10 times as many. */
  atRowsMs: number;
  at10xMs: number;
  model: RuntimeModel;
  /** The statement was timed in another form, e.g. "CREATE INDEX without CONCURRENTLY". */
  timedAs?: string;
  /** What the estimate leaves out, when the statement's form says so. */
  note?: string;
  /** Where it was measured, e.g. "embedded PostgreSQL 18.1 (PGlite 0.5.16)". */
  engine: string;
}

export interface EstimateOptions {
  /** Most rows seeded for the sample, over all the sized tables. */
  sampleRows?: number;
  /** Called with the reason when there is no estimate. */
  skipped?: (reason: string) => void;
}

/**
 * Rows in the sample at most. A pass over 20,000 rows takes 10–100 ms on PGlite, well above its timer
 * noise (a few ms), and seeding them ~150 ms: the whole estimate stays well under a second.
 */
export const SAMPLE_ROWS = 20_000;
/** Rows per empty parent table of a foreign key, so child rows have keys to point at. */
const PARENT_ROWS = 1000;
/**
 * Each form is timed more than once and the fastest run kept: a first run pays for cold caches (the
 * first statement of its kind in the session, hint bits on freshly seeded rows), and PGlite has pauses
 * (garbage collection, memory growth, other processes on the same cores) that make one run in ten
 * several times slower. The empty tables are timed five times (each run costs next to nothing), the
 * sample twice unless its first run already took longer than REPEAT_BELOW_MS, which pauses barely move.
 */
const EMPTY_RUNS = 5;
const SAMPLE_RUNS = 2;
const REPEAT_BELOW_MS = 250;
/** On a server: no sample run may take longer (PGlite enforces no timeouts). */
const SAMPLE_TIMEOUT_MS = 10_000;

const SAVEPOINT = 'pgarch_runtime_estimate';
const RUN_SAVEPOINT = 'pgarch_runtime_estimate_run';

class Skip extends Error {}

/**
 * Estimate how long `stmt` takes when `tables` hold `rows` rows each, and at 10x. Call it on the engine
 * holding the catalog as it is right before the statement runs (any statements the caller batched sent
 * first); inside a transaction block or outside one. What it changes is rolled back, and sequences the
 * sample advanced are set back. Returns undefined, with the reason given to `options.skipped`, when the
 * statement cannot be timed (it cannot run in a transaction, fails on synthetic rows, no size is known);
 * only an error after which the engine can run nothing more (isFatalEngineError) is thrown.
 *
 * The time is fitted as fixed + slope × g(rows), g linear or n log n (see modelOf), from two runs: on
 * the tables emptied (the fixed part: catalog work, locks, the engine's round trips, which must not be
 * multiplied by the scale) and on a sample of k = min(rows, sampleRows) rows. Two points fix a line; of
 * the choices for the smaller one (k/4 or 0), the empty run costs no seeding and puts the points
 * furthest apart, so timer noise moves the slope least. A third point could test the model, not
 * improve it: the model comes from the statement's kind.
 * The sample's data is synthetic and hot in cache: the estimate is of CPU and memory work, a lower bound
 * where production reads the table from disk.
 */
export async function estimateRuntime(
  engine: Engine,
  stmt: Statement,
  tables: Array<{ schema: string; name: string; rows: number }>,
  options: EstimateOptions = {},
): Promise<RuntimeEstimate | undefined> {
  try {
    return await estimate(engine, stmt, tables, Math.max(1, Math.floor(options.sampleRows ?? SAMPLE_ROWS)));
  } catch (error) {
    if (isFatalEngineError(error)) throw error;
    options.skipped?.(error instanceof Skip ? error.message : `the estimate failed: ${toEngineError(error).message}`);
    return undefined;
  }
}

async function estimate(engine: Engine, stmt: Statement, sized: Array<{ schema: string; name: string; rows: number }>, sampleRows: number): Promise<RuntimeEstimate> {
  const timed = timedForm(stmt);
  // Each table once (the first size given wins), with a whole, positive number of rows (reltuples is a float).
  const known = sized
    .filter((t, i) => sized.findIndex((u) => u.schema === t.schema && u.name === t.name) === i)
    .map((t) => ({ ...t, rows: Math.round(t.rows) }))
    .filter((t) => Number.isFinite(t.rows) && t.rows > 0);
  if (!known.length) throw new Skip(sized.length ? 'the tables it goes through are empty' : 'no table size is known (--assume-rows, or --stats-from a live database)');
  const totalRows = known.reduce((n, t) => n + t.rows, 0);
  // Every table scaled by the same fraction, so the sample is production in miniature.
  const fraction = Math.min(1, sampleRows / totalRows);

  await engine.version(); // PGlite's description names its version once it has been read
  const sequences = await readSequences(engine);
  const began = await openSavepoint(engine);
  try {
    const targets: Array<{ table: Table; n: number; rows?: number }> = [];
    for (const t of known) {
      const table = await readTableByName(engine, { schemaname: t.schema, relname: t.name });
      if (!table) throw new Skip(`there is no table ${t.schema}.${t.name} before the statement`);
      targets.push({ table, n: Math.max(1, Math.round(t.rows * fraction)), rows: t.rows });
    }
    targets.push(...(await emptyParents(engine, targets.map((t) => t.table))).map((table) => ({ table, n: PARENT_ROWS })));
    const enums = await readEnums(engine);
    // Each run starts from the tables truncated: TRUNCATE gives them new files in this transaction, so the
    // sample's rows, its dead tuples and ANALYZE's statistics all go with the rollback, and the files as
    // they were come back untouched (inserting into the old files would leave dead pages behind).
    const truncate = `TRUNCATE ${targets.map((t) => quoteQualified(t.table.schema, t.table.name)).join(', ')} CASCADE`;
    const server = engine.kind === 'server';

    const run = async (seed: boolean): Promise<number> => {
      await engine.exec(`SAVEPOINT ${RUN_SAVEPOINT}`);
      try {
        await engine.exec(truncate);
        if (seed) for (const { table, n } of parentsFirst(targets)) await seedTable(engine, table, n, enums).catch((e) => {
          throw new Skip(`pgarch could not seed the sample: ${(e as Error).message}`);
        });
        if (server) await engine.query(`select set_config('statement_timeout', $1, true)`, [String(SAMPLE_TIMEOUT_MS)]);
        let best = Infinity;
        for (let attempt = 0; attempt < (seed ? SAMPLE_RUNS : EMPTY_RUNS); attempt++) {
          await engine.exec(`SAVEPOINT ${RUN_SAVEPOINT}_stmt`);
          const started = performance.now();
          try {
            await engine.exec(timed.sql);
          } catch (e) {
            if (isFatalEngineError(e)) throw e;
            const error = toEngineError(e);
            throw new Skip(
              error.code === '57014'
                ? `it ran longer than ${SAMPLE_TIMEOUT_MS / 1000} s on ${seed ? 'the sample' : 'the emptied tables'}`
                : `it failed on ${seed ? "pgarch's synthetic rows" : 'the emptied tables'}: ${error.message}`,
            );
          }
          const ms = performance.now() - started;
          await engine.exec(`ROLLBACK TO SAVEPOINT ${RUN_SAVEPOINT}_stmt; RELEASE SAVEPOINT ${RUN_SAVEPOINT}_stmt`);
          best = Math.min(best, ms);
          if (ms >= REPEAT_BELOW_MS) break;
        }
        return best;
      } finally {
        await engine.exec(`ROLLBACK TO SAVEPOINT ${RUN_SAVEPOINT}; RELEASE SAVEPOINT ${RUN_SAVEPOINT}`);
      }
    };

    // The sample first: its first run pays for whatever is still cold and its second is kept, and the
    // empty runs after it find everything warm (run first, they kept up to 20 ms of warm-up on PGlite).
    const sampleMs = await run(true);
    const fixedMs = await run(false);
    const model = modelOf(stmt);
    const g = model === 'linear' ? (n: number) => n : (n: number) => (n < 2 ? n : n * Math.log2(n));
    const sizedTargets = targets.filter((t) => t.rows !== undefined);
    const sampled = sizedTargets.reduce((n, t) => n + t.n, 0);
    // Noise can put the sample below the empty run: then nothing grew, and the fixed part is all there is.
    const fixed = Math.min(fixedMs, sampleMs);
    const slope = (sampleMs - fixed) / g(sampled);
    const at = (rows: number) => fixed + slope * g(rows);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    const parents = targets.filter((t) => t.rows === undefined);
    return {
      statement: { ...(stmt.file ? { file: stmt.file } : {}), line: stmt.line, endLine: stmt.line + (stmt.text.match(/\n/g)?.length ?? 0), summary: stmt.text.trim().split('\n')[0].slice(0, 80) },
      tables: sizedTargets.map((t) => ({ schema: t.table.schema, name: t.table.name, rows: t.rows!, sampledRows: t.n })),
      ...(parents.length ? { parents: parents.map((t) => ({ schema: t.table.schema, name: t.table.name, sampledRows: t.n })) } : {}),
      sampledRows: sampled,
      sampleMs: round(sampleMs),
      fixedMs: round(fixed),
      atRowsMs: round(at(totalRows)),
      at10xMs: round(at(totalRows * 10)),
      model,
      ...(timed.as ? { timedAs: timed.as, note: timed.note } : {}),
      engine: engine.description,
    };
  } finally {
    await closeSavepoint(engine, began);
    await restoreSequences(engine, sequences);
  }
}

/**
 * Open the savepoint everything runs behind: in the transaction block the caller is in (a migration's),
 * or in one of its own when there is none. Returns whether it began one.
 */
async function openSavepoint(engine: Engine): Promise<boolean> {
  try {
    await engine.exec(`SAVEPOINT ${SAVEPOINT}`);
    return false;
  } catch (error) {
    if (isFatalEngineError(error)) throw error;
    const e = toEngineError(error);
    if (e.code === '25P02') throw new Skip('the transaction it would run in is aborted');
    if (e.code !== '25P01') throw error; // 25P01: no transaction block
  }
  await engine.exec(`BEGIN; SAVEPOINT ${SAVEPOINT}`);
  return true;
}

async function closeSavepoint(engine: Engine, began: boolean): Promise<void> {
  await engine.exec(began ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`);
}

/** The statement as it is timed: CONCURRENTLY cannot run in a transaction block, its plain form can. */
function timedForm(stmt: Statement): { sql: string; as?: string; note?: string } {
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  const sql = stmt.run ?? stmt.text;
  const plain = (as: string, note: string) => ({ sql: withoutConcurrently(sql, stmt.kind === 'ReindexStmt'), as, note });
  switch (stmt.kind) {
    case 'IndexStmt':
      if (node.concurrent) return plain('CREATE INDEX without CONCURRENTLY', 'CONCURRENTLY scans the table twice and waits for the transactions running at each phase: expect longer than the plain build timed here, without blocking writes.');
      break;
    case 'DropStmt':
      if (node.concurrent) return plain('DROP INDEX without CONCURRENTLY', 'CONCURRENTLY waits for the transactions using the index: expect longer, without blocking.');
      break;
    case 'ReindexStmt':
      if ((node.params ?? []).some((p: AnyNode) => p.DefElem?.defname === 'concurrently')) return plain('REINDEX without CONCURRENTLY', 'CONCURRENTLY builds a new index beside the old one, scanning the table twice: expect longer, without blocking writes.');
      break;
    case 'AlterTableStmt':
      if ((node.cmds ?? []).some((c: AnyNode) => c.AlterTableCmd?.def?.PartitionCmd?.concurrent)) return plain('DETACH PARTITION without CONCURRENTLY', 'CONCURRENTLY waits for the transactions using the partition: expect longer, without blocking.');
      break;
    case 'VacuumStmt':
      if (node.is_vacuumcmd) throw new Skip('VACUUM cannot run inside a transaction block, where the estimate must undo it');
      break;
    case 'TransactionStmt':
      throw new Skip('it is transaction control');
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
      throw new Skip('it cannot run inside a transaction block, where the estimate must undo it');
  }
  return { sql };
}

/**
 * Index builds sort their rows: n log n. Everything else that goes through every row (rewrites, scans
 * that check a constraint, UPDATEs) is linear; a rewrite rebuilds the table's indexes too, but their
 * sort is a small part of it next to copying the rows.
 */
export function modelOf(stmt: Statement): RuntimeModel {
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  if (stmt.kind === 'IndexStmt' || stmt.kind === 'ReindexStmt' || stmt.kind === 'ClusterStmt') return 'n log n';
  if (stmt.kind === 'AlterTableStmt') {
    const buildsIndex = (node.cmds ?? []).some((c: AnyNode) => {
      const cmd = c.AlterTableCmd as AnyNode | undefined;
      if (!cmd) return false;
      if (cmd.subtype === 'AT_AddIndex' || cmd.subtype === 'AT_AddIndexConstraint') return true;
      const constraints: AnyNode[] = cmd.def?.Constraint ? [cmd.def.Constraint] : (cmd.def?.ColumnDef?.constraints ?? []).map((k: AnyNode) => k.Constraint);
      return constraints.some((k) => ['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(k?.contype));
    });
    if (buildsIndex) return 'n log n';
  }
  return 'linear';
}

/** Tables the given ones point at with a foreign key, transitively, that hold no rows: the sample's children need keys. */
async function emptyParents(engine: Engine, tables: Table[]): Promise<Table[]> {
  const seen = new Set(tables.map((t) => `${t.schema}.${t.name}`));
  const found: Table[] = [];
  const queue = [...tables];
  while (queue.length) {
    const table = queue.shift()!;
    for (const c of table.constraints) {
      if (c.type !== 'foreign key' || !c.references) continue;
      const key = `${c.references.schema}.${c.references.table}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = quoteQualified(c.references.schema, c.references.table);
      const { rows } = await engine.query<{ empty: boolean }>(`select not exists (select from ${target}) as empty`);
      if (!rows[0]?.empty) continue; // its rows are keys enough
      const parent = await readTableByName(engine, { schemaname: c.references.schema, relname: c.references.table });
      if (!parent) continue;
      found.push(parent);
      queue.push(parent);
    }
  }
  return found;
}

async function readEnums(engine: Engine): Promise<Set<string>> {
  const { rows } = await engine.query<{ name: string }>(
    `select n.nspname || '.' || t.typname as name from pg_type t join pg_namespace n on n.oid = t.typnamespace where t.typtype = 'e'`,
  );
  return new Set(rows.map((r) => r.name));
}

type SequenceState = { oid: number; last: string | null; start: string };

/**
 * Sequences are not transactional: the sample's nextval() calls (serial and identity columns) survive
 * the rollback. Their state is read before and set back after. pg_sequence_last_value is NULL until the
 * first nextval; such a sequence is set back to its start, not yet called (PG 10+).
 */
async function readSequences(engine: Engine): Promise<SequenceState[]> {
  const { rows } = await engine.query<SequenceState>(
    `select s.seqrelid::int8::float8 as oid, pg_sequence_last_value(s.seqrelid)::text as last, s.seqstart::text as start
       from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'`,
  );
  return rows;
}

async function restoreSequences(engine: Engine, before: SequenceState[]): Promise<void> {
  if (!before.length) return;
  const now = new Map((await readSequences(engine)).map((s) => [s.oid, s.last]));
  for (const s of before) {
    if (!now.has(s.oid) || now.get(s.oid) === s.last) continue;
    await engine.query(s.last === null ? 'select setval($1::oid::regclass, $2::int8, false)' : 'select setval($1::oid::regclass, $2::int8, true)', [s.oid, s.last ?? s.start]);
  }
}
