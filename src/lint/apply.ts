// Apply parsed SQL files to an engine statement by statement, as psql would without ON_ERROR_STOP:
// a failing statement becomes an `execution-error` finding at its own location and the rest runs.
import type { Engine, EngineError } from '../engine/types.js';
import { ConnectionLostError, EngineDiedError, NotExecutedError, toEngineError } from '../engine/types.js';
import type { ParsedFile, Statement } from '../sql/parse.js';
import type { Finding, Location } from '../types.js';
import { FailureGroups } from './root-cause.js';
import { EngineFailure, engineFailureFinding } from './engine-failure.js';
import { textToRun } from '../migrate/statement.js';

export interface ApplyProgress {
  (done: number, total: number, file?: string): void;
}

/** Extension names the files create, so the embedded engine can load their bundles before start. */
export function extensionsUsed(files: ParsedFile[]): string[] {
  const names = new Set<string>();
  for (const f of files) {
    for (const s of f.statements) {
      if (s.kind !== 'CreateExtensionStmt') continue;
      const ext = (s.node as { CreateExtensionStmt?: { extname?: string } }).CreateExtensionStmt?.extname;
      if (ext) names.add(ext);
    }
  }
  return [...names];
}

/**
 * Apply the files statement by statement. A failure is one finding; later statements that fail only
 * because of it are counted on it instead of reported one by one (see FailureGroups).
 */
export async function applyFiles(engine: Engine, files: ParsedFile[], progress?: ApplyProgress, shared?: FailureGroups): Promise<Finding[]> {
  const findings: Finding[] = [];
  // A caller that applies more after these (the migrations after their environment) shares its groups.
  const failures = shared ?? new FailureGroups(files, engine);
  const total = files.reduce((n, f) => n + f.statements.length, 0);
  let done = 0;
  let lastRan: { file: ParsedFile; stmt: Statement } | undefined;
  for (const file of files) {
    let inTransaction = false;
    let aborted = false;
    for (const stmt of file.statements) {
      done++;
      progress?.(done, total, file.file);
      const control = transactionControl(stmt);
      if (aborted && control !== 'end') continue; // PostgreSQL ignores everything until the block ends
      if (isCopyFromStdin(stmt)) continue; // its data lines are psql's business, not the schema's
      try {
        await engine.exec(textToRun(stmt));
        lastRan = { file, stmt };
        if (control === 'begin') inTransaction = true;
        if (control === 'end') inTransaction = aborted = false;
      } catch (error) {
        if (error instanceof ConnectionLostError) throw error;
        if (error instanceof EngineDiedError) {
          // A stack overflow shows on the call after the one that caused it.
          const culprit = error.delayed && lastRan ? lastRan : { file, stmt };
          throw new EngineFailure(engineFailureFinding(culprit.file, culprit.stmt, error, total - done + (culprit.stmt === stmt ? 0 : 1)), findings);
        }
        const e = toEngineError(error);
        if (control === 'end') inTransaction = aborted = false;
        // A statement the scratch did not run aborted nothing.
        else if (inTransaction && !(e instanceof NotExecutedError)) aborted = true;
        const { finding } = failures.failed(stmt, e, executionErrorFinding(file, stmt, e, inTransaction ? 'The rest of this transaction block was skipped, as PostgreSQL would.' : undefined));
        if (finding) findings.push(finding);
      }
    }
    // A file that leaves a transaction open ends like a psql session: rolled back.
    if (inTransaction) await engine.exec('ROLLBACK').catch(() => {});
  }
  // PGlite shows a stack overflow on the next call: make that call here, where the culprit is known.
  if (lastRan && engine.kind === 'pglite') {
    try {
      await engine.query('SELECT 1');
    } catch (error) {
      if (error instanceof EngineDiedError) throw new EngineFailure(engineFailureFinding(lastRan.file, lastRan.stmt, error, 0), findings);
      throw error;
    }
  }
  if (!shared) failures.finish();
  return findings;
}

/**
 * A statement PostgreSQL rejected, at its error position: PostgreSQL's hint, else `fallbackHint`. A
 * statement a server scratch did not run is a `not-executed` finding that says why.
 */
const QUERY_CANCELED = '57014';
const STATEMENT_TIMEOUT_HINT =
  'statement_timeout ran out (set by the SQL itself, the role, or the connection string) on a scratch copy far smaller than production, where it will run longer still. Give this step its own timeout (SET LOCAL statement_timeout = …) or make it smaller (batches, CONCURRENTLY). The embedded engine never enforces timeouts.';

export function executionErrorFinding(file: ParsedFile, stmt: Statement, e: EngineError, fallbackHint?: string): Finding {
  if (e instanceof NotExecutedError) return notExecutedFinding(file, stmt, e);
  const hint = e.hint ?? (e.code === QUERY_CANCELED ? STATEMENT_TIMEOUT_HINT : fallbackHint);
  return {
    rule: 'execution-error',
    severity: 'error',
    message: `${e.message}${e.detail ? ` (${e.detail})` : ''}`,
    location: errorLocation(file, stmt, e.position),
    ...(hint ? { hint } : {}),
  };
}

function notExecutedFinding(file: ParsedFile, stmt: Statement, e: NotExecutedError): Finding {
  return {
    rule: 'not-executed',
    severity: e.severity,
    message: `Not executed on the server scratch: this statement ${e.reason}`,
    location: { file: file.file, line: stmt.line, column: stmt.column, statement: stmt.index },
    hint:
      e.severity === 'info'
        ? 'Nothing the lint reads depends on it; the embedded engine (no --database) runs it.'
        : 'Later statements that depend on it may fail here; lint with the embedded engine (no --database), or give a stand-in with --setup.',
    docs: 'docs/rules/not-executed.md',
  };
}

export function transactionControl(stmt: Statement): 'begin' | 'end' | undefined {
  // The kind first: a huge file's trees are made again when read (src/sql/tree-cache.ts).
  if (stmt.kind !== 'TransactionStmt') return undefined;
  const kind = (stmt.node as { TransactionStmt?: { kind?: string } }).TransactionStmt?.kind;
  if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') return 'begin';
  if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE') return 'end';
  return undefined;
}

export function isCopyFromStdin(stmt: Statement): boolean {
  if (stmt.kind !== 'CopyStmt') return false;
  const copy = (stmt.node as { CopyStmt?: { is_from?: boolean; filename?: string } }).CopyStmt;
  return Boolean(copy?.is_from && !copy.filename);
}

/** PostgreSQL's error position is a 1-based character (code point) offset in the statement text. */
export function errorLocation(file: ParsedFile, stmt: Statement, position: number | undefined): Location {
  const chars = Array.from(stmt.text);
  if (!position || position > chars.length + 1) return { file: file.file, line: stmt.line, column: stmt.column, statement: stmt.index };
  const before = chars.slice(0, position - 1);
  const lastNewline = before.lastIndexOf('\n');
  const line = stmt.line + before.filter((c) => c === '\n').length;
  const column = lastNewline === -1 ? stmt.column + before.length : before.length - lastNewline;
  return { file: file.file, line, column, statement: stmt.index };
}
