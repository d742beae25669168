import { concurrentForm } from '../../migrate/statement.js';
import { finding, type MigrationRule } from '../types.js';

export const concurrentlyInTransaction: MigrationRule = {
  id: 'concurrently-in-transaction',
  area: 'migration',
  severity: 'error',
  summary: 'CONCURRENTLY operations cannot run inside a transaction block: the migration fails (explicit BEGIN, or a runner that wraps each migration).',
  kinds: ['IndexStmt', 'DropStmt', 'ReindexStmt', 'AlterTableStmt'],
  alterSubtypes: ['AT_DetachPartition'],
  check(ctx) {
    const form = concurrentForm(ctx.stmt.kind, ctx.node);
    if (!form || !ctx.tx.inTransaction) return [];
    const where = ctx.tx.explicit ? 'inside BEGIN … COMMIT' : 'in a migration the runner wraps in a transaction';
    return [
      finding(this, {
        message: `${form} cannot run ${where}: PostgreSQL rejects it with "cannot run inside a transaction block"`,
        location: ctx.locate(),
        hint: ctx.tx.explicit
          ? 'Move it out of the BEGIN … COMMIT block, into a migration of its own.'
          : 'Put it in its own migration marked `-- pgarch:no-transaction` (or your runner\'s equivalent, e.g. dbmate `transaction:false`, Rails `disable_ddl_transaction!`).',
        fix: { description: 'Run it in a migration of its own, outside a transaction', sql: `-- pgarch:no-transaction\n${ctx.stmt.text.trim()};` },
      }),
    ];
  },
};
