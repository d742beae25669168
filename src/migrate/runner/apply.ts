// Running one migration's up or down step against the target: in a transaction of its own (the step
// and its history row commit together, or neither does), or — when it cannot run in one — statement by
// statement with its progress committed after each, so that a re-run after a crash resumes where it
// stopped. lock_timeout on every step; a step that times out on a lock is retried with backoff.
import type { Engine, Queryable } from '../../engine/types.js';
import { EngineError, toEngineError } from '../../engine/types.js';
import { errorLocation, transactionControl } from '../../lint/apply.js';
import type { AnyNode } from '../../rules/types.js';
import type { ParsedFile, Statement } from '../../sql/parse.js';
import { parseMigration, parseMigrationDown } from '../parse-migration.js';
import { InputError } from '../../lint/files.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import { concurrentForm, textToRun } from '../statement.js';
import type { History } from './history.js';
import { sleep } from './lock.js';
import type { RunnerMigration } from './plan.js';

export interface StepOptions {
  /** lock_timeout for each step, ms (default 5000); 0 turns it off. */
  lockTimeoutMs: number;
  /** statement_timeout for each step, ms; absent or 0: the server's. */
  statementTimeoutMs?: number;
  /** Times a step that failed on lock_timeout is tried again (default 0). */
  retryLock: number;
  /** Told before each retry. */
  onRetry?: (m: RunnerMigration, attempt: number, waitMs: number, message: string) => void;
  /** Told when a resumed migration skips what ran before the crash, or repairs an index build it cut short. */
  onNote?: (m: RunnerMigration, note: string) => void;
}

/** Where a step failed: file:line:column and PostgreSQL's message. */
export interface StepFailure {
  file?: string;
  line: number;
  column: number;
  message: string;
  code?: string;
  /** Whether the failed step left the database as it was before it (its transaction rolled back). */
  rolledBack: boolean;
  /** For a step run statement by statement: how many of its statements had committed. */
  statementsDone?: number;
}

export type StepResult = { ok: true; ms: number; inTransaction: boolean } | { ok: false; failure: StepFailure };

export class StepError extends Error {
  constructor(readonly failure: StepFailure) {
    super(`${failure.file ?? ''}:${failure.line}:${failure.column}: ${failure.message}`);
  }
}

const LOCK_NOT_AVAILABLE = '55P03';
/** Errors of waiting: lock_not_available, query_canceled (statement_timeout), deadlock_detected, serialization_failure. */
const WAITED = new Set([LOCK_NOT_AVAILABLE, '57014', '40P01', '40001']);

/** The parsed step, refused with its location when it does not parse. Requires loadParser(). */
export function parseStep(m: RunnerMigration, direction: 'up' | 'down'): ParsedFile {
  const file = direction === 'up' ? parseMigration(m.migration) : parseMigrationDown(m.migration);
  if (!file) throw new StepError({ file: m.migration.file, line: 1, column: 1, message: `${m.migration.id} has no down step`, rolledBack: true });
  const syntax = file.findings.find((f) => f.rule === 'syntax-error');
  if (syntax) throw new StepError({ file: syntax.location?.file ?? file.file, line: syntax.location?.line ?? 1, column: syntax.location?.column ?? 1, message: syntax.message, rolledBack: true });
  return file;
}

/**
 * Whether the step runs in one transaction: yes, unless its file says otherwise (`-- pgarch:no-transaction`,
 * its tool's marker such as dbmate's `transaction:false`), opens its own (BEGIN … COMMIT), or holds a
 * statement PostgreSQL refuses in a transaction block (then, as Flyway does, it runs without one).
 */
export function stepMode(m: RunnerMigration, file: ParsedFile, direction: 'up' | 'down'): { inTransaction: boolean; why?: string } {
  if (file.directives.flags.includes('no-transaction')) return { inTransaction: false, why: '-- pgarch:no-transaction' };
  const marker = direction === 'up' ? m.migration.noTransaction : downMarker(m);
  if (marker) return { inTransaction: false, why: marker.trim() };
  if (file.statements.some((s) => transactionControl(s))) return { inTransaction: false, why: 'the file opens its own transaction' };
  const outside = file.statements.find(cannotRunInBlock);
  if (outside) return { inTransaction: false, why: `line ${outside.line} cannot run in a transaction block` };
  return { inTransaction: true };
}

/** dbmate's `-- migrate:down transaction:false`, on the line that opens the down section. */
function downMarker(m: RunnerMigration): string | undefined {
  const down = m.migration.down;
  if (!down) return undefined;
  const lineStart = down.text.lastIndexOf('\n', Math.max(down.start - 2, 0)) + 1;
  const line = down.text.slice(lineStart, down.start).trim();
  return /\btransaction:false\b/.test(line) ? line : undefined;
}

function cannotRunInBlock(stmt: Statement): boolean {
  const n = (stmt.node as AnyNode)[stmt.kind] as AnyNode | undefined;
  if (!n) return false;
  return (
    concurrentForm(stmt.kind, n) !== undefined ||
    (stmt.kind === 'VacuumStmt' && Boolean(n.is_vacuumcmd)) ||
    ['AlterSystemStmt', 'CreatedbStmt', 'DropdbStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt', 'CreateSubscriptionStmt', 'DropSubscriptionStmt', 'AlterSubscriptionStmt'].includes(stmt.kind)
  );
}

/** Runs the step, trying again after a lock timeout as many times as asked. */
export async function runStep(db: Engine, history: History, m: RunnerMigration, direction: 'up' | 'down', options: StepOptions, context: StepContext = {}): Promise<StepResult> {
  const { quick, file, ...mode } = context.plan ?? planStep(m, direction);
  const kind = m.repeatable ? 'repeatable' : 'versioned';
  let resumeFrom = context.resumeFrom ?? 0;
  for (let attempt = 0; ; attempt++) {
    const started = performance.now();
    try {
      if (mode.inTransaction) {
        try {
          // The history row and COMMIT go in the same round trip as the statements, when the row's values are staged.
          const tail = direction === 'up' ? history.stagedRecord(m.version, kind) : history.stagedForget(m.version);
          if (quick) await runQuick(db, m, direction, quick, options, tail && `${tail};\nCOMMIT`);
          else await runInTransaction(db, file!, options, tail && `${tail};\nCOMMIT`);
          if (!tail) {
            if (direction === 'up') await history.record({ version: m.version, name: m.name, checksum: m.checksum, executionMs: performance.now() - started, kind }, db, context.recorded ?? true);
            else await history.forget(m.version, db);
            await db.exec('COMMIT');
          }
        } catch (error) {
          await db.exec('ROLLBACK').catch(() => {});
          throw error;
        }
      } else {
        await applyTimeouts(db, options);
        const steps = file!;
        try {
          const startAt = resumeFrom;
          for (let i = startAt; i < steps.statements.length; i++) {
            const stmt = steps.statements[i];
            if (i === startAt && startAt > 0) {
              options.onNote?.(m, `resuming at statement ${i + 1} of ${steps.statements.length} (line ${stmt.line}): the ${startAt} before it ran before the last run stopped`);
              if (await indexBuildAlreadyDone(db, m, stmt, options)) continue;
            }
            await runStatement(db, steps, stmt, i);
            if (direction === 'up') await history.progress({ version: m.version, name: m.name, checksum: m.checksum, kind }, i + 1, performance.now() - started);
            resumeFrom = i + 1;
          }
          if (direction === 'up') await history.record({ version: m.version, name: m.name, checksum: m.checksum, executionMs: performance.now() - started, kind });
          else await history.forget(m.version);
        } catch (error) {
          // A file that opened its own transaction and failed in it leaves the session aborted.
          await db.exec('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          await resetTimeouts(db);
        }
      }
      return { ok: true, ms: performance.now() - started, inTransaction: mode.inTransaction };
    } catch (error) {
      if (error instanceof StepError) {
        const lockTimeout = error.failure.code === LOCK_NOT_AVAILABLE;
        if (lockTimeout && attempt < options.retryLock) {
          const waitMs = Math.min(500 * 2 ** attempt, 30_000);
          options.onRetry?.(m, attempt + 1, waitMs, error.failure.message);
          await sleep(waitMs);
          // A CONCURRENTLY build that timed out left an invalid index behind: dropped before the retry.
          if (!mode.inTransaction) await dropInvalidIndex(db, file!.statements[resumeFrom]);
          continue;
        }
        return { ok: false, failure: { ...error.failure, rolledBack: mode.inTransaction, ...(mode.inTransaction ? {} : { statementsDone: resumeFrom }) } };
      }
      throw error;
    }
  }
}

/** How a step will run: as written (quick), or parsed (file), and whether in one transaction. */
export interface StepPlan {
  quick?: QuickStep;
  file?: ParsedFile;
  inTransaction: boolean;
  why?: string;
}

/** Plain DDL runs as written (quickStep); what may need the parser is parsed, and its mode read from the statements. */
export function planStep(m: RunnerMigration, direction: 'up' | 'down'): StepPlan {
  const quick = quickStep(m, direction);
  if (quick) return { quick, inTransaction: true };
  const file = parseStep(m, direction);
  return { file, ...stepMode(m, file, direction) };
}

export interface StepContext {
  /** The plan made already (planStep). */
  plan?: StepPlan;
  /** Statements of a no-transaction step that ran before a crash (the history's statements_done). */
  resumeFrom?: number;
  /** Whether the history may hold a row for it already (a partial run, a repeatable, a changed file); default true. */
  recorded?: boolean;
}

/**
 * BEGIN, the timeouts and every statement in one round trip (a simple-protocol string: PostgreSQL runs
 * its statements in order and stops at the first error, inside the block BEGIN opened). The transaction
 * is left open for the history row and COMMIT. An error is placed at its statement by its position in
 * the string; without a position the statements are run again one by one, in a block rolled back, to
 * find the one that fails.
 */
async function runInTransaction(db: Engine, file: ParsedFile, options: StepOptions, tail?: string): Promise<void> {
  const prefix = `BEGIN;\n${timeoutSettings(options, true)}`;
  const pieces = file.statements.map(textToRun);
  const separator = '\n;\n';
  try {
    await db.exec(prefix + pieces.join(separator) + (tail ? `${pieces.length ? separator : ''}${tail}` : ''));
    return;
  } catch (error) {
    const e = toEngineError(error);
    if (!(e instanceof EngineError) || e.code === undefined) throw error;
    await db.exec('ROLLBACK').catch(() => {});
    // Where each statement starts in the string, in characters (PostgreSQL's positions count characters).
    const length = (t: string) => Array.from(t).length;
    let at = length(prefix);
    const starts = pieces.map((piece) => {
      const start = at;
      at += length(piece) + length(separator);
      return start;
    });
    if (e.position !== undefined && e.position > length(prefix)) {
      let index = -1;
      while (index + 1 < starts.length && starts[index + 1] < e.position) index++;
      if (index >= 0) throw stepError(file, file.statements[index], e, e.position - starts[index]);
    }
    return locateByRunningAgain(db, file, options, e);
  }
}

/**
 * An error with no position (a constraint violated, a lock timeout): the statement that fails is found by
 * running them again one by one, in a block that is rolled back.
 */
async function locateByRunningAgain(db: Engine, file: ParsedFile, options: StepOptions, e: EngineError): Promise<never> {
  // A wait that ran out (lock_timeout, statement_timeout) or lost to another session would be waited for
  // again, holding a place in the lock queue: it is reported at the step's first statement instead.
  if (WAITED.has(e.code ?? '')) throw stepError(file, file.statements[0], e, undefined);
  await db.exec(`BEGIN;\n${timeoutSettings(options, true)}`);
  try {
    for (const stmt of file.statements) await runStatement(db, file, stmt);
  } finally {
    await db.exec('ROLLBACK').catch(() => {});
  }
  // None failed alone: what failed came after them (a deferred constraint checked at COMMIT).
  throw stepError(file, file.statements[file.statements.length - 1] ?? file.statements[0], e, undefined);
}

/** A step's text as it stands in its file. */
interface QuickStep {
  file: string;
  text: string;
  start: number;
  body: string;
}

/**
 * Words that send a step through the parser before it runs: what may take it out of a transaction
 * (CONCURRENTLY, its own BEGIN/COMMIT, VACUUM, ALTER SYSTEM, databases…), a pgarch directive, psql
 * variables and meta-commands, a client_encoding change. Anywhere in the text, comments and strings too:
 * a false match only costs the parse.
 */
const NEEDS_PARSER = /\b(concurrently|begin|start|commit|rollback|end|abort|savepoint|release|prepare|vacuum|system|database|tablespace|subscription|client_encoding)\b|pgarch[:-]|\\|(^|[^:]):['"A-Za-z_]/i;

/**
 * The step as it stands, when none of it can need the parser: then it is sent as written, in one
 * string, and parsed only should it fail without a position. Most migrations are such plain DDL; the
 * parse was a third of the runner's own time on 500 of them.
 */
function quickStep(m: RunnerMigration, direction: 'up' | 'down'): QuickStep | undefined {
  if (direction === 'up' ? m.migration.noTransaction : downMarker(m)) return undefined;
  const at = direction === 'up' ? { file: m.migration.file, text: m.migration.text, ...m.migration.up } : m.migration.down;
  if (!at) return undefined;
  const body = at.text.slice(at.start, at.end);
  if (NEEDS_PARSER.test(body)) return undefined;
  return { file: at.file, text: at.text, start: at.start, body };
}

async function runQuick(db: Engine, m: RunnerMigration, direction: 'up' | 'down', q: QuickStep, options: StepOptions, tail?: string): Promise<void> {
  const prefix = `BEGIN;\n${timeoutSettings(options, true)}`;
  try {
    // A newline first: the text may end in a line comment.
    await db.exec(`${prefix}${q.body}\n;\n${tail ?? ''}`);
  } catch (error) {
    const e = toEngineError(error);
    if (!(e instanceof EngineError) || e.code === undefined) throw error;
    await db.exec('ROLLBACK').catch(() => {});
    const before = Array.from(prefix).length;
    const chars = Array.from(q.body);
    if (e.position !== undefined && e.position > before && e.position <= before + chars.length) {
      const offset = q.start + chars.slice(0, e.position - before - 1).join('').length;
      throw new StepError({ file: q.file, ...lineAndColumn(q.text, offset), message: `${e.message}${e.detail ? ` (${e.detail})` : ''}`, code: e.code, rolledBack: false });
    }
    return locateByRunningAgain(db, parseStep(m, direction), options, e);
  }
}

/** 1-based line and column (in characters) of an offset in a text. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: Array.from(text.slice(lineStart, offset)).length + 1 };
}

/** SET [LOCAL] of the timeouts: whole numbers of milliseconds, checked here, never text from a file. */
function timeoutSettings(options: StepOptions, local: boolean): string {
  const ms = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new InputError(`a timeout must be a whole number of milliseconds, not ${n}`);
    return `'${n}ms'`;
  };
  const set = local ? 'SET LOCAL' : 'SET';
  return `${set} lock_timeout = ${ms(options.lockTimeoutMs)};\n${options.statementTimeoutMs ? `${set} statement_timeout = ${ms(options.statementTimeoutMs)};\n` : ''}`;
}

function stepError(file: ParsedFile, stmt: Statement, e: EngineError, position: number | undefined): StepError {
  const at = errorLocation(file, stmt, position);
  return new StepError({ file: at.file ?? file.file, line: at.line ?? stmt.line, column: at.column ?? stmt.column, message: `${e.message}${e.detail ? ` (${e.detail})` : ''}`, code: e.code, rolledBack: false });
}

async function runStatement(db: Queryable, file: ParsedFile, stmt: Statement, index?: number): Promise<void> {
  try {
    await db.exec(textToRun(stmt));
  } catch (error) {
    const e = toEngineError(error);
    if (!(e instanceof EngineError) || e.code === undefined) throw error;
    const failed = stepError(file, stmt, e, e.position);
    if (index !== undefined) failed.failure.statementsDone = index;
    throw failed;
  }
}

async function applyTimeouts(db: Queryable, options: StepOptions): Promise<void> {
  await db.exec(timeoutSettings(options, false));
}

async function resetTimeouts(db: Queryable): Promise<void> {
  await db.exec('RESET lock_timeout; RESET statement_timeout').catch(() => {});
}

/**
 * The statement a crash interrupted, when it is CREATE INDEX CONCURRENTLY: a build the server finished
 * is not run again (it would fail: the index exists); one it cut short left an invalid index, dropped
 * here so the build can run again. Any other statement is run again.
 */
async function indexBuildAlreadyDone(db: Queryable, m: RunnerMigration, stmt: Statement, options: StepOptions): Promise<boolean> {
  const index = concurrentIndex(stmt);
  if (!index) return false;
  const { rows } = await db.query<{ valid: boolean }>(`select i.indisvalid as valid from pg_index i where i.indexrelid = to_regclass($1)`, [index]);
  if (rows.length === 0) return false;
  if (rows[0].valid) {
    options.onNote?.(m, `index ${index} was built before the last run stopped: not built again`);
    return true;
  }
  options.onNote?.(m, `index ${index} was left invalid when the last run stopped: dropped and built again`);
  await dropInvalidIndex(db, stmt);
  return false;
}

async function dropInvalidIndex(db: Queryable, stmt: Statement | undefined): Promise<void> {
  const index = stmt && concurrentIndex(stmt);
  if (!index) return;
  const { rows } = await db.query<{ name: string }>(`select i.indexrelid::regclass::text as name from pg_index i where i.indexrelid = to_regclass($1) and not i.indisvalid`, [index]);
  // The name comes from the catalog's own regclass output, which quotes what needs quoting.
  if (rows[0]) await db.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${rows[0].name}`);
}

/** The index a CREATE INDEX CONCURRENTLY names, qualified by its table's schema when the statement gives one. */
function concurrentIndex(stmt: Statement): string | undefined {
  if (stmt.kind !== 'IndexStmt') return undefined;
  const n = (stmt.node as AnyNode).IndexStmt as { concurrent?: boolean; idxname?: string; relation?: { schemaname?: string } };
  if (!n.concurrent || !n.idxname) return undefined;
  return n.relation?.schemaname ? quoteQualified(n.relation.schemaname, n.idxname) : quoteIdent(n.idxname);
}
