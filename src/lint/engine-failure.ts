// The embedded engine aborted (PGlite's WASM ran out of stack on an endless recursion, or trapped): the
// run cannot go on with it, and must not look clean. One `engine-failure` error at the statement that
// killed it, saying how much was not checked. PGlite's probe (pglite.ts) finds most deaths at that
// statement; a death reported later (`delayed`) is put on the last statement that ran.
import type { EngineDiedError } from '../engine/types.js';
import type { ParsedFile, Statement } from '../sql/parse.js';
import type { Finding } from '../types.js';
import { errorLocation } from './apply.js';

/** Thrown up to the command once the engine died: what was found so far, and the failure itself. */
export class EngineFailure extends Error {
  constructor(
    readonly finding: Finding,
    /** Findings made before the engine died, which still stand. */
    readonly before: Finding[] = [],
  ) {
    super(finding.message);
    this.name = 'EngineFailure';
  }
}

/**
 * The finding for a death after (or while) `culprit` ran; `together` when it ran in one call with
 * others (a batch), `unchecked` the statements that were not checked because of it.
 */
export function engineFailureFinding(file: ParsedFile, culprit: Statement, died: EngineDiedError, unchecked: number, together?: { from: number; to: number }): Finding {
  const stack = /ERRORDATA_STACK_SIZE/.test(died.message);
  const what = stack ? 'ran out of stack (ERRORDATA_STACK_SIZE exceeded), as on a function that calls itself without end; a PostgreSQL server reports this as "stack depth limit exceeded"' : `aborted (${died.message})`;
  const where = together && together.to > together.from ? `this statement or one run with it (lines ${together.from}–${together.to})` : 'this statement';
  return {
    rule: 'engine-failure',
    severity: 'error',
    message: `The embedded engine (PGlite) ${what} while running ${where}; the run stopped there: ${unchecked} later statement${unchecked === 1 ? ' was' : 's were'} not checked`,
    location: errorLocation(file, culprit, undefined),
    hint: stack
      ? 'Give the recursive function a base case. To check the rest meanwhile, lint with --database on a PostgreSQL server, which fails the statement and goes on.'
      : 'Lint with --database on a PostgreSQL server to check these files; please report the statement that made PGlite abort.',
    docs: 'docs/rules/engine-failure.md',
  };
}

/** An engine failure at no statement (while pgarch itself read the catalog, or before any SQL ran). */
export function engineFailureOutsideStatements(message: string): Finding {
  return { rule: 'engine-failure', severity: 'error', message, hint: 'Lint with --database on a PostgreSQL server.', docs: 'docs/rules/engine-failure.md' };
}
