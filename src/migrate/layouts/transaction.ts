// Whether a migration's statements run inside a transaction its tool opens: the tool's semantics
// (layouts/types.ts TransactionMode), the file's own directive, and what the user says.
import type { AnyNode } from '../../rules/types.js';
import type { Statement } from '../../sql/parse.js';
import type { Migration } from './types.js';

export interface RunnerTransaction {
  /** The tool wraps the file's statements in one transaction. */
  wrapped: boolean;
  /** Why it does not, when a directive or the tool's own detection takes the file out of one. */
  noTransaction?: string;
}

/**
 * @param assume the user's --assume-in-transaction (or config), which replaces the tool's semantics;
 *   undefined: the layout's own.
 * @param directive pgarch's own `-- pgarch:no-transaction` in the file.
 */
export function runnerTransaction(m: Pick<Migration, 'layout' | 'transaction' | 'noTransaction'>, statements: Statement[], assume: boolean | undefined, directive: boolean): RunnerTransaction {
  const noTransaction = directive ? '-- pgarch:no-transaction' : (m.noTransaction ?? (m.layout === 'flyway' ? flywayDetectsNonTransactional(statements) : undefined));
  if (noTransaction) return { wrapped: false, noTransaction };
  if (assume !== undefined) return { wrapped: assume };
  // One query string of several statements is one implicit block, unless its own BEGIN makes it a
  // regular block the file controls.
  if (m.transaction === 'implicit') return { wrapped: statements.length > 1 && !statements.some((s) => s.kind === 'TransactionStmt') };
  return { wrapped: m.transaction === 'transaction' };
}

/**
 * Flyway runs a PostgreSQL script outside a transaction when a statement cannot run in one (its
 * parser's list: CONCURRENTLY, VACUUM, DISCARD ALL, ALTER SYSTEM, databases, tablespaces,
 * subscriptions, REINDEX of a schema/database/system, ALTER TYPE … ADD VALUE, COPY FROM STDIN).
 */
function flywayDetectsNonTransactional(statements: Statement[]): string | undefined {
  for (const stmt of statements) {
    const n = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
    const found =
      ((stmt.kind === 'IndexStmt' || stmt.kind === 'DropStmt') && n.concurrent) ||
      (stmt.kind === 'VacuumStmt' && n.is_vacuumcmd) ||
      (stmt.kind === 'DiscardStmt' && n.target === 'DISCARD_ALL') ||
      ['AlterSystemStmt', 'CreatedbStmt', 'DropdbStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt', 'CreateSubscriptionStmt', 'DropSubscriptionStmt'].includes(stmt.kind) ||
      (stmt.kind === 'ReindexStmt' && ['REINDEX_OBJECT_SCHEMA', 'REINDEX_OBJECT_DATABASE', 'REINDEX_OBJECT_SYSTEM'].includes(n.kind)) ||
      (stmt.kind === 'AlterEnumStmt' && n.newVal) ||
      (stmt.kind === 'CopyStmt' && n.is_from && !n.filename);
    if (found) return `Flyway runs it outside a transaction: line ${stmt.line} cannot run in one`;
  }
  return undefined;
}
