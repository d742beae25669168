// `pgarch migrate backfill --table t --set "col = expr"`: an UPDATE of a whole table in batches of the
// primary key's order (keyset: each batch starts after the last key the previous one reached), each
// batch committed with its progress row, so a run that stops resumes at the next batch and a batch that
// fails changes nothing. Rows inserted while it runs with a higher key are reached by later batches.
import type { Engine } from '../../engine/types.js';
import { InputError } from '../../lint/files.js';
import { loadParser, parseFileSync } from '../../sql/parse.js';
import { quoteIdent } from '../../sql/quote.js';
import { sleep } from './lock.js';

export interface BackfillOptions {
  table: string;
  /** The SET list, e.g. `total_cents = round(total * 100)`. */
  set: string;
  /** Rows to leave alone, as a condition (`total_cents IS NULL`). */
  where?: string;
  batch: number;
  /** Pause between batches, ms: room for the application's own writes. */
  pauseMs?: number;
  lockTimeoutMs?: number;
  /** Schema of the progress table (the runner's history schema). */
  schema?: string;
  /** Start again from the first key, even when an earlier run finished or stopped part way. */
  restart?: boolean;
  onBatch?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  rows: number;
  batches: number;
  lastKey: string | null;
  /** The table's estimated rows (pg_class.reltuples), for a percentage; undefined before ANALYZE. */
  estimatedRows?: number;
  elapsedMs: number;
  resumed: boolean;
  done: boolean;
}

/**
 * The user's SET list and condition are SQL by design (as psql -c takes it); the parser checks that each
 * is exactly that — one SET list of a plain UPDATE, one expression — so nothing else can ride along. The
 * table, key and progress names are read from the catalog and quoted; values go as parameters.
 */
function checkedClauses(set: string, where: string | undefined): void {
  const probe = parseFileSync(`UPDATE pgarch_backfill_probe SET ${set}`);
  const stmt = probe.statements[0];
  const update = (stmt?.node as { UpdateStmt?: Record<string, unknown> } | undefined)?.UpdateStmt;
  if (probe.findings.length || probe.statements.length !== 1 || !update || update.whereClause || update.fromClause || update.returningList || update.withClause) {
    throw new InputError(`--set ${JSON.stringify(set)}: not one SET list (column = expression, …)${probe.findings[0] ? `: ${probe.findings[0].message}` : ''}`);
  }
  if (where !== undefined) {
    const cond = parseFileSync(`SELECT WHERE ${where}`);
    const select = (cond.statements[0]?.node as { SelectStmt?: Record<string, unknown> } | undefined)?.SelectStmt;
    if (cond.findings.length || cond.statements.length !== 1 || !select || select.fromClause || select.withClause || select.groupClause || select.sortClause || select.limitCount) {
      throw new InputError(`--where ${JSON.stringify(where)}: not one condition${cond.findings[0] ? `: ${cond.findings[0].message}` : ''}`);
    }
  }
}

export async function backfill(db: Engine, options: BackfillOptions): Promise<BackfillProgress> {
  await loadParser();
  checkedClauses(options.set, options.where);
  if (!(options.batch >= 1)) throw new InputError('--batch must be at least 1');
  const { rows: found } = await db.query<{ table: string | null; estimate: number }>(`select to_regclass($1)::text as table, coalesce((select reltuples from pg_class where oid = to_regclass($1)), -1)::float8 as estimate`, [options.table]);
  if (!found[0]?.table) throw new InputError(`--table ${options.table}: no such table`);
  const table = found[0].table;
  const { rows: keys } = await db.query<{ column: string; type: string }>(
    `select quote_ident(a.attname) as column, format_type(a.atttypid, a.atttypmod) as type
       from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.conrelid = to_regclass($1) and c.contype = 'p' and cardinality(c.conkey) = 1`,
    [options.table],
  );
  if (!keys[0]) throw new InputError(`--table ${options.table}: the backfill walks a one-column primary key, and ${table} has none`);
  const key = keys[0].column;
  const progressTable = `${quoteIdent(options.schema ?? 'public')}.pgarch_backfills`;
  await db.exec(`CREATE TABLE IF NOT EXISTS ${progressTable} (
  id text PRIMARY KEY, table_name text NOT NULL, set_clause text NOT NULL, where_clause text,
  last_key text, rows bigint NOT NULL DEFAULT 0, batches integer NOT NULL DEFAULT 0, done boolean NOT NULL DEFAULT false,
  started_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`);
  const id = `${table} SET ${options.set}${options.where ? ` WHERE ${options.where}` : ''}`;
  if (options.restart) await db.query(`DELETE FROM ${progressTable} WHERE id = $1`, [id]);
  await db.query(`INSERT INTO ${progressTable} (id, table_name, set_clause, where_clause) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, [id, table, options.set, options.where ?? null]);
  const [saved] = (await db.query<{ last_key: string | null; rows: string; batches: number; done: boolean }>(`SELECT last_key, rows, batches, done FROM ${progressTable} WHERE id = $1`, [id])).rows;
  const estimate = found[0].estimate >= 0 ? found[0].estimate : undefined;
  const started = performance.now();
  const progress: BackfillProgress = { rows: Number(saved.rows), batches: saved.batches, lastKey: saved.last_key, estimatedRows: estimate, elapsedMs: 0, resumed: saved.last_key !== null && !saved.done, done: saved.done };
  if (saved.done) return progress;
  const filter = options.where ? ` AND (${options.where})` : '';
  // Each batch: the next `batch` keys after the last one reached, updated, and the progress moved on, in one transaction.
  const batchSql = `WITH batch AS (SELECT ${key} AS pgarch_key FROM ${table} WHERE ($1::text IS NULL OR ${key} > $1::text::${keys[0].type}) ORDER BY ${key} LIMIT $2),
edge AS (SELECT max(pgarch_key) AS last, count(*) AS keys FROM batch),
done AS (UPDATE ${table} SET ${options.set} FROM batch WHERE ${table}.${key} = batch.pgarch_key${filter} RETURNING 1)
SELECT (SELECT last::text FROM edge) AS last, (SELECT keys FROM edge)::int AS keys, (SELECT count(*) FROM done)::int AS updated`;
  for (;;) {
    await db.exec('BEGIN');
    let last: string | null;
    let keysSeen: number;
    try {
      await db.query(`select set_config('lock_timeout', $1, true)`, [`${options.lockTimeoutMs ?? 5000}ms`]);
      const [r] = (await db.query<{ last: string | null; keys: number; updated: number }>(batchSql, [progress.lastKey, options.batch])).rows;
      last = r.last;
      keysSeen = r.keys;
      progress.rows += r.updated;
      progress.batches += 1;
      const finished = keysSeen < options.batch;
      await db.query(`UPDATE ${progressTable} SET last_key = coalesce($2, last_key), rows = $3, batches = $4, done = $5, updated_at = now() WHERE id = $1`, [id, last, progress.rows, progress.batches, finished]);
      await db.exec('COMMIT');
      if (last !== null) progress.lastKey = last;
      progress.done = finished;
    } catch (error) {
      await db.exec('ROLLBACK').catch(() => {});
      throw error;
    }
    progress.elapsedMs = performance.now() - started;
    options.onBatch?.({ ...progress });
    if (progress.done) return progress;
    if (options.pauseMs) await sleep(options.pauseMs);
  }
}
