// The runner's history table: one row per applied migration, with the checksum of the up step that ran
// and, for a migration run statement by statement, how far it got (so a re-run after a crash resumes).
import type { Queryable } from '../../engine/types.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';

export const HISTORY_TABLE = 'pgarch_migrations';

export interface HistoryRow {
  version: string;
  name: string;
  /** sha256 of the up step's text, hex. */
  checksum: string;
  appliedAt: Date;
  executionMs: number;
  appliedBy: string;
  /** versioned, repeatable, or baseline (recorded as applied without running). */
  kind: 'versioned' | 'repeatable' | 'baseline';
  /** Statements run so far of a no-transaction migration that has not finished; null once it has. */
  statementsDone: number | null;
}

/** The history table of one schema (quoted once: the schema name comes from the user). Requires loadParser() (quoting asks the scanner). */
export class History {
  readonly table: string;

  constructor(
    private readonly db: Queryable,
    readonly schema: string,
  ) {
    this.table = quoteQualified(schema, HISTORY_TABLE);
  }

  /** Creates the schema and table when missing; two runners may race here, so both statements tolerate the other. */
  async ensure(): Promise<void> {
    const [{ exists }] = (await this.db.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [this.table])).rows;
    if (exists) return;
    await this.db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`).catch(ignoreRace);
    await this.db
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  execution_ms integer NOT NULL DEFAULT 0,
  applied_by text NOT NULL DEFAULT current_user,
  kind text NOT NULL DEFAULT 'versioned' CHECK (kind IN ('versioned', 'repeatable', 'baseline')),
  statements_done integer
)`,
      )
      .catch(ignoreRace);
  }

  /** Rows by version; empty when the table does not exist yet (status and dry runs create nothing). */
  async read(): Promise<Map<string, HistoryRow>> {
    const [{ exists }] = (await this.db.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [this.table])).rows;
    if (!exists) return new Map();
    const { rows } = await this.db.query<{ version: string; name: string; checksum: string; applied_at: Date | string; execution_ms: number; applied_by: string; kind: HistoryRow['kind']; statements_done: number | null }>(
      `SELECT version, name, checksum, applied_at, execution_ms, applied_by, kind, statements_done FROM ${this.table} ORDER BY applied_at, version`,
    );
    return new Map(
      rows.map((r) => [
        r.version,
        { version: r.version, name: r.name, checksum: r.checksum, appliedAt: new Date(r.applied_at), executionMs: Number(r.execution_ms), appliedBy: r.applied_by, kind: r.kind, statementsDone: r.statements_done === null ? null : Number(r.statements_done) },
      ]),
    );
  }

  /** Records a finished migration (replacing a partial or an earlier repeatable run). */
  async record(row: { version: string; name: string; checksum: string; executionMs: number; kind: HistoryRow['kind'] }, db: Queryable = this.db, mayExist = true): Promise<void> {
    const values = [row.version, row.name, row.checksum, Math.round(row.executionMs), row.kind];
    // A first run of a migration has no row yet: the plain INSERT is the cheaper statement.
    if (!mayExist) {
      await db.query(`INSERT INTO ${this.table} (version, name, checksum, execution_ms, kind) VALUES ($1, $2, $3, $4, $5)`, values);
      return;
    }
    await db.query(
      `INSERT INTO ${this.table} (version, name, checksum, execution_ms, kind, statements_done) VALUES ($1, $2, $3, $4, $5, NULL)
ON CONFLICT (version) DO UPDATE SET name = excluded.name, checksum = excluded.checksum, execution_ms = excluded.execution_ms, kind = excluded.kind, statements_done = NULL, applied_at = now(), applied_by = current_user`,
      values,
    );
  }

  /** Staged migrations by version → their row number in the session's pg_temp.pgarch_staged. */
  private readonly staged = new Map<string, number>();

  /**
   * Puts the migrations' history values (names from files, checksums) in a temporary table, with
   * parameters, once per run: each migration's history row is then written by SQL that names only its
   * row number, in the same round trip as its statements and COMMIT (stagedRecord).
   */
  async stage(migrations: Array<{ version: string; name: string; checksum: string }>): Promise<void> {
    if (migrations.length === 0) return;
    await this.db.exec('CREATE TEMP TABLE IF NOT EXISTS pgarch_staged (n integer PRIMARY KEY, version text NOT NULL, name text NOT NULL, checksum text NOT NULL); TRUNCATE pg_temp.pgarch_staged');
    await this.db.query('INSERT INTO pg_temp.pgarch_staged SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[])', [
      migrations.map((_, i) => i + 1),
      migrations.map((m) => m.version),
      migrations.map((m) => m.name),
      migrations.map((m) => m.checksum),
    ]);
    this.staged.clear();
    migrations.forEach((m, i) => this.staged.set(m.version, i + 1));
  }

  /** The INSERT of a staged migration's row (its run time measured by the server, from the start of the round trip); undefined when not staged. */
  stagedRecord(version: string, kind: HistoryRow['kind']): string | undefined {
    const n = this.staged.get(version);
    if (n === undefined) return undefined;
    const executionMs = `(extract(epoch from clock_timestamp() - statement_timestamp()) * 1000)::integer`;
    return `INSERT INTO ${this.table} (version, name, checksum, execution_ms, kind, statements_done) SELECT version, name, checksum, ${executionMs}, '${kind === 'repeatable' ? 'repeatable' : 'versioned'}', NULL FROM pg_temp.pgarch_staged WHERE n = ${n}
ON CONFLICT (version) DO UPDATE SET name = excluded.name, checksum = excluded.checksum, execution_ms = excluded.execution_ms, kind = excluded.kind, statements_done = NULL, applied_at = now(), applied_by = current_user`;
  }

  stagedForget(version: string): string | undefined {
    const n = this.staged.get(version);
    return n === undefined ? undefined : `DELETE FROM ${this.table} WHERE version = (SELECT version FROM pg_temp.pgarch_staged WHERE n = ${n})`;
  }

  /** Progress of a no-transaction migration: committed after each statement, so a crash leaves it. */
  async progress(row: { version: string; name: string; checksum: string; kind: HistoryRow['kind'] }, statementsDone: number, executionMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table} (version, name, checksum, execution_ms, kind, statements_done) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (version) DO UPDATE SET statements_done = excluded.statements_done, execution_ms = excluded.execution_ms, checksum = excluded.checksum`,
      [row.version, row.name, row.checksum, Math.round(executionMs), row.kind, statementsDone],
    );
  }

  async forget(version: string, db: Queryable = this.db): Promise<void> {
    await db.query(`DELETE FROM ${this.table} WHERE version = $1`, [version]);
  }
}

/** A concurrent runner created it first: 42P06 duplicate_schema, 42P07 duplicate_table, 23505 on the catalog's unique index. */
function ignoreRace(error: unknown): void {
  const code = (error as { code?: string }).code;
  if (code === '42P06' || code === '42P07' || code === '23505') return;
  throw error;
}
