import { keepsHoldBrief } from '../../migrate/statement.js';
import { finding, type MigrationRule } from '../types.js';

export const lockHeldAfterExclusive: MigrationRule = {
  id: 'lock-held-after-exclusive',
  area: 'migration',
  severity: 'warning',
  summary:
    'After a statement takes ACCESS EXCLUSIVE on an existing table, the lock is held until COMMIT: a later statement in the same transaction that scans, rewrites, builds an index, backfills or waits for another table\'s lock keeps the table blocked for reads and writes all that time.',
  // Only the first statement after the lock is taken is reported: most statements skip the rule entirely.
  when: (tx) => tx.exclusiveLock?.followers === 0,
  check(ctx) {
    const lock = ctx.tx.exclusiveLock;
    // Report once per transaction, at the first statement that extends the lock's hold: another quick
    // change of the same table (drop a column after dropping its constraint) adds nothing to it.
    if (!lock || lock.followers !== 0 || ctx.stmt.kind === 'TransactionStmt' || keepsHoldBrief(ctx.stmt, lock.ref)) return [];
    return [
      finding(this, {
        message: `${lock.table} stays locked ACCESS EXCLUSIVE (taken at line ${lock.line}) while this and the following statements run in the same transaction`,
        object: lock.table,
        location: ctx.locate(),
        hint: 'Put the statement that takes ACCESS EXCLUSIVE last in its transaction, or give it a migration of its own.',
      }),
    ];
  },
};
