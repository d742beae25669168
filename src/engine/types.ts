// The one surface every stage uses to talk to PostgreSQL, embedded or server. Nothing outside
// src/engine/ imports PGlite or pg.

export type EngineKind = 'pglite' | 'server';

/** The comment before each statement pgarch sends to a live database, as pg_stat_statements then shows it. */
export const OWN_STATEMENT_TAG = '/* pgarch */ ';

export interface QueryResult<Row> {
  rows: Row[];
  /** Rows changed by INSERT/UPDATE/DELETE, when the driver reports it. */
  affectedRows?: number;
}

export interface Queryable {
  /** One statement, with `$1…` parameters: the only way user input reaches SQL. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** A script of one or more statements, without parameters. */
  exec(sql: string): Promise<void>;
}

export interface EngineVersion {
  /** server_version_num, e.g. 150019 or 180006. */
  num: number;
  /** Major version, e.g. 15. */
  major: number;
  /** Human-readable, e.g. "PostgreSQL 18.6 (PGlite 0.5.16)". */
  text: string;
}

export interface Engine extends Queryable {
  readonly kind: EngineKind;
  /**
   * One statement without parameters through the simple query protocol, with its rows: `$1` stays text
   * for PostgreSQL itself to read (EXPLAIN (GENERIC_PLAN) of a parameterised query).
   */
  simpleQuery<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>>;
  /** Run `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  version(): Promise<EngineVersion>;
  /** Where the engine runs, safe to print (passwords redacted). */
  readonly description: string;
  /**
   * A server scratch (see sandbox.ts): make the work so far permanent in the scratch database if that
   * changes nothing outside it, and report whether it did. Absent where every statement already commits.
   */
  checkpoint?(): Promise<boolean>;
  /**
   * Embedded only: write the data directory as it is now (after a CHECKPOINT, between transactions) to
   * `target`, one pack file, and return the digest of its files (see data-dir.ts, history-cache.ts).
   */
  saveDataDir?(target: string): Promise<string>;
  close(): Promise<void>;
}

/** A PostgreSQL error, normalised across drivers. */
export class EngineError extends Error {
  constructor(
    message: string,
    /** SQLSTATE, e.g. 42703 for undefined_column. */
    readonly code?: string,
    /** 1-based character position in the executed SQL, when PostgreSQL reports one. */
    readonly position?: number,
    readonly detail?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/**
 * A statement a server scratch did not run, because its effect would reach outside the scratch
 * database (or cannot run inside the scratch's transaction): becomes a `not-executed` finding.
 */
export class NotExecutedError extends EngineError {
  constructor(
    /** Why, e.g. "creates a database: databases belong to the whole server". */
    readonly reason: string,
    /** info when nothing a lint reads depends on it (VACUUM), warning when later statements may. */
    readonly severity: 'info' | 'warning',
  ) {
    super(`not executed on the server scratch: ${reason}`, 'pgarch-not-executed');
    this.name = 'NotExecutedError';
  }
}

/** An error of SQL that was sent with `prefixLength` characters before the user's text: its position moved back onto that text. */
export function shiftedError(error: unknown, prefixLength: number): EngineError {
  const e = toEngineError(error);
  if (e instanceof NotExecutedError) return e;
  const position = e.position !== undefined && e.position > prefixLength ? e.position - prefixLength : undefined;
  return new EngineError(e.message, e.code, position, e.detail, e.hint);
}

/**
 * The engine itself failed (PGlite aborted: its WASM stack or memory ran out) and can run nothing more.
 * `delayed`: PGlite reports a stack overflow on the call after the one that caused it.
 */
export class EngineDiedError extends EngineError {
  constructor(
    message: string,
    readonly delayed: boolean,
  ) {
    super(message, 'XX000');
    this.name = 'EngineDiedError';
  }
}

/**
 * The server connection broke mid-run (the server restarted or crashed, or an administrator ended
 * the session). Nothing after it can be trusted, so the run stops: one line, exit 2, no report.
 */
export class ConnectionLostError extends EngineError {
  constructor(reason: string) {
    super(`the connection to the server was lost (${reason}): it restarted, or the session was ended; the run stopped (a scratch database it made is dropped once the server is back)`, '08006');
    this.name = 'ConnectionLostError';
  }
}

/** Errors after which a run cannot go on: rethrown by every catch that would make a finding of an error. */
export function isFatalEngineError(error: unknown): error is EngineDiedError | ConnectionLostError {
  return error instanceof EngineDiedError || error instanceof ConnectionLostError;
}

/** Convert any driver error (PGlite's or pg's share the field names) into an EngineError. */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const e = error as { message?: string; code?: string; position?: string | number; detail?: string; hint?: string };
  const position = e.position === undefined || e.position === '' ? undefined : Number(e.position);
  return new EngineError(e.message ?? String(error), e.code, Number.isFinite(position) ? position : undefined, e.detail || undefined, e.hint || undefined);
}
