// Rollback tested: run a migration's down step, then its up step again, and compare the schema with
// the one its up step left (see src/catalog/fingerprint.ts for what is compared: the schema, not data).
//
// When to call it: right after a migration's up step has run on `engine` without error, outside any
// transaction block (its tool's transaction committed), and before the next migration runs; for each
// reported migration with a down step (parseMigrationDown gives it, located in its own file). It costs
// two catalog reads besides the two steps (each about 30 ms with 50 tables on PGlite, 150 ms with 500).
//
// What it leaves (RollbackTest.engineLeft):
// * 'unchanged' — when the two steps can run inside one transaction block (no BEGIN/COMMIT of their
//   own, nothing PostgreSQL refuses in a block such as CREATE INDEX CONCURRENTLY), they run in one that
//   is then rolled back, pass or fail: the engine is exactly as the up step left it, OIDs and rows too.
//   Nothing needs refreshing.
// * 'rerun' — otherwise they run for real, each statement committing as its file says, and the engine
//   holds what the re-run up step made: the same schema when `restored`, but new OIDs and relfilenodes
//   (what a catalog view cached is stale: EngineCatalogView.invalidate() / forgetNames()) and without the
//   rows the down step deleted. When the down step fails, the up step is still run again, past its
//   errors as psql would, to bring back what the down step removed; a re-run up step that fails goes on
//   past its failure the same way. `restored` says whether the schema then is the one the up step left.
import { schemaFingerprint, fingerprintDifferences, type SchemaFingerprint } from '../catalog/fingerprint.js';
import type { Engine, EngineError } from '../engine/types.js';
import { isFatalEngineError, NotExecutedError, toEngineError } from '../engine/types.js';
import { errorLocation, isCopyFromStdin, transactionControl } from '../lint/apply.js';
import type { AnyNode } from '../rules/types.js';
import type { ParsedFile, Statement } from '../sql/parse.js';
import { textToRun } from './statement.js';

/** Where a step failed, and PostgreSQL's message. */
export interface RollbackStepError {
  step: 'down' | 'up';
  file?: string;
  /** 1-based index of the statement in its file, as a finding's location gives it; absent for a syntax error. */
  statement?: number;
  /** Where PostgreSQL put the error (its position in the statement), else where the statement starts. */
  line: number;
  column: number;
  /** PostgreSQL's message, with its detail in parentheses. */
  message: string;
  /** SQLSTATE, e.g. 42P07 duplicate_table. */
  code?: string;
}

/** A statement a server scratch did not run (it would reach outside the scratch database): skipped, as the rest of the run skips it. */
export interface RollbackSkipped {
  step: 'down' | 'up';
  statement: number;
  line: number;
  reason: string;
}

export interface RollbackTest {
  /** pass: both steps ran without error and the schema came back the same. */
  status: 'pass' | 'fail';
  /** The first statement of the down step that failed (the steps after it did not run). */
  downError?: RollbackStepError;
  /** After a down step without error: the first statement of the up step that failed when run again. */
  upError?: RollbackStepError;
  /**
   * After both steps ran without error: how the schema differs from the one the up step left, one line
   * per object ('index orders_total_idx: missing', 'column orders.note: type character varying(50) → text').
   */
  differences: string[];
  /** Statements sent to the engine, of each step (not counting the skipped). */
  statements: { down: number; up: number };
  skipped: RollbackSkipped[];
  /** What the engine holds afterwards: see the note at the top of rollback-test.ts. */
  engineLeft: 'unchanged' | 'rerun';
  /** With engineLeft 'rerun': whether the schema now is the one the up step left. */
  restored?: boolean;
}

// PostgreSQL refuses these in a transaction block: the steps then run for real. 25001: CREATE INDEX
// CONCURRENTLY, VACUUM…; 2D000: a procedure or DO block that COMMITs; 55P04: a value ALTER TYPE … ADD
// VALUE added, used before a commit.
const NOT_IN_BLOCK = new Set(['25001', '2D000', '55P04']);

/** Requires the engine to be outside any transaction block, with the up step applied (see the note at the top). */
export async function testRollback(engine: Engine, up: ParsedFile, down: ParsedFile): Promise<RollbackTest> {
  const syntax = down.findings.find((f) => f.rule === 'syntax-error');
  if (syntax) {
    // A statement the parser could not read would be missing from the run: the down step cannot be trusted.
    const downError: RollbackStepError = { step: 'down', file: syntax.location?.file ?? down.file, line: syntax.location?.line ?? 1, column: syntax.location?.column ?? 1, message: syntax.message };
    return { status: 'fail', downError, differences: [], statements: { down: 0, up: 0 }, skipped: [], engineLeft: 'unchanged' };
  }
  const before = await schemaFingerprint(engine);
  if (canRunInBlock(up) && canRunInBlock(down)) {
    const inBlock = await runInBlock(engine, up, down, before);
    if (inBlock) return inBlock;
  }
  return runForReal(engine, up, down, before);
}

/** Both steps in one transaction block, rolled back at the end; undefined when PostgreSQL refused a statement in a block. */
async function runInBlock(engine: Engine, up: ParsedFile, down: ParsedFile, before: SchemaFingerprint): Promise<RollbackTest | undefined> {
  await engine.exec('BEGIN');
  try {
    const skipped: RollbackSkipped[] = [];
    const undo = await runStep(engine, down, 'down', skipped, { stopAtError: true });
    if (undo.error && NOT_IN_BLOCK.has(undo.error.code ?? '')) return undefined;
    if (undo.error) return { status: 'fail', downError: undo.error, differences: [], statements: { down: undo.ran, up: 0 }, skipped, engineLeft: 'unchanged' };
    const redo = await runStep(engine, up, 'up', skipped, { stopAtError: true });
    if (redo.error && NOT_IN_BLOCK.has(redo.error.code ?? '')) return undefined;
    const statements = { down: undo.ran, up: redo.ran };
    if (redo.error) return { status: 'fail', upError: redo.error, differences: [], statements, skipped, engineLeft: 'unchanged' };
    const differences = fingerprintDifferences(before, await schemaFingerprint(engine));
    return { status: differences.length ? 'fail' : 'pass', differences, statements, skipped, engineLeft: 'unchanged' };
  } finally {
    // Pass or fail, the engine goes back to what the up step left.
    await engine.exec('ROLLBACK');
  }
}

/** Each step as its files say, committed; the up step always runs again, past its errors. */
async function runForReal(engine: Engine, up: ParsedFile, down: ParsedFile, before: SchemaFingerprint): Promise<RollbackTest> {
  const skipped: RollbackSkipped[] = [];
  const undo = await runStep(engine, down, 'down', skipped, { stopAtError: true });
  // After a failed down step the up step runs to bring back what it removed; its errors are the down step's doing.
  const redo = await runStep(engine, up, 'up', skipped, { stopAtError: false });
  const differences = fingerprintDifferences(before, await schemaFingerprint(engine));
  const statements = { down: undo.ran, up: redo.ran };
  const left = { skipped, engineLeft: 'rerun' as const, restored: differences.length === 0 };
  if (undo.error) return { status: 'fail', downError: undo.error, differences: [], statements, ...left };
  if (redo.error) return { status: 'fail', upError: redo.error, differences: [], statements, ...left };
  return { status: differences.length ? 'fail' : 'pass', differences, statements, ...left };
}

/**
 * Run one step statement by statement, as applyFiles does: COPY … FROM stdin skipped, a failure inside
 * the file's own transaction block skips the rest of the block, a block left open is rolled back.
 * With stopAtError, nothing runs after the first failure (as a migration tool stops).
 */
async function runStep(engine: Engine, file: ParsedFile, step: 'down' | 'up', skipped: RollbackSkipped[], options: { stopAtError: boolean }): Promise<{ error?: RollbackStepError; ran: number }> {
  let error: RollbackStepError | undefined;
  let ran = 0;
  let inTransaction = false;
  let aborted = false;
  for (const stmt of file.statements) {
    const control = transactionControl(stmt);
    if (aborted && control !== 'end') continue; // PostgreSQL ignores everything until the block ends
    if (isCopyFromStdin(stmt)) continue; // its data lines are psql's business, not the schema's
    try {
      ran++;
      await engine.exec(textToRun(stmt));
      if (control === 'begin') inTransaction = true;
      if (control === 'end') inTransaction = aborted = false;
    } catch (thrown) {
      if (isFatalEngineError(thrown)) throw thrown;
      const e = toEngineError(thrown);
      if (e instanceof NotExecutedError) {
        ran--;
        skipped.push({ step, statement: stmt.index, line: stmt.line, reason: e.reason });
        continue;
      }
      error ??= stepError(file, stmt, step, e);
      if (options.stopAtError) break;
      if (control === 'end') inTransaction = aborted = false;
      else if (inTransaction) aborted = true;
    }
  }
  // A file that leaves a transaction open (or stopped inside one) ends like a psql session: rolled back.
  if (inTransaction) await engine.exec('ROLLBACK').catch(() => {});
  return { error, ran };
}

function stepError(file: ParsedFile, stmt: Statement, step: 'down' | 'up', e: EngineError): RollbackStepError {
  const at = errorLocation(file, stmt, e.position);
  return {
    step,
    file: at.file,
    statement: stmt.index,
    line: at.line ?? stmt.line,
    column: at.column ?? stmt.column,
    message: `${e.message}${e.detail ? ` (${e.detail})` : ''}`,
    ...(e.code ? { code: e.code } : {}),
  };
}

/** No transaction control of its own and nothing known to be refused in a block (the rest is found by running). */
function canRunInBlock(file: ParsedFile): boolean {
  return file.statements.every((stmt) => {
    if (stmt.kind === 'TransactionStmt') return false;
    const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode | undefined;
    if (stmt.kind === 'VacuumStmt' && node?.is_vacuumcmd) return false; // ANALYZE alone runs in a block
    return !node?.concurrent;
  });
}
