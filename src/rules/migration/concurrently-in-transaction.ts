import { finding, type AnyNode, type MigrationRule } from '../types.js';

/** Statements whose CONCURRENTLY form refuses to run inside a transaction block. */
function concurrentForm(kind: string, node: AnyNode): string | undefined {
  if (kind === 'IndexStmt' && node.concurrent) return 'CREATE INDEX CONCURRENTLY';
  if (kind === 'DropStmt' && node.concurrent) return 'DROP INDEX CONCURRENTLY';
  if (kind === 'ReindexStmt' && (node.params ?? []).some((p: AnyNode) => p.DefElem?.defname === 'concurrently')) return 'REINDEX CONCURRENTLY';
  if (kind === 'AlterTableStmt' && (node.cmds ?? []).some((c: AnyNode) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd.def?.PartitionCmd?.concurrent)) {
    return 'DETACH PARTITION CONCURRENTLY';
  }
  return undefined;
}

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
