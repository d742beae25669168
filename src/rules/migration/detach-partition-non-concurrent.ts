import type { Finding } from '../../types.js';
import { finding, type AnyNode, type MigrationRule } from '../types.js';
import { appendToStatement } from './objects-util.js';
import { alterCommands, existingRef, NO_TRANSACTION, qualified, statementText } from './util.js';

export const detachPartitionNonConcurrent: MigrationRule = {
  id: 'detach-partition-non-concurrent',
  area: 'migration',
  severity: 'warning',
  summary:
    'DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the existing partitioned table: every query on any partition waits; PG 14+ can detach concurrently.',
  kinds: ['AlterTableStmt'],
  alterSubtypes: ['AT_DetachPartition'],
  async check(ctx) {
    const detached = alterCommands(ctx)
      .filter((cmd) => cmd.subtype === 'AT_DetachPartition')
      .map((cmd) => cmd.def?.PartitionCmd as AnyNode)
      .filter((p) => p && !p.concurrent);
    if (!detached.length) return [];
    // A partitioned table created earlier in this deployment is unused: the lock harms no one.
    const parent = await existingRef(ctx, ctx.node.relation);
    if (!parent) return [];
    // DETACH PARTITION … CONCURRENTLY exists from PG 14.
    const concurrentForm = ctx.pgVersion >= 14;
    return detached.map(
      (p): Finding =>
        finding(this, {
          severity: ctx.sized(parent, this.severity),
          message: `DETACH PARTITION ${p.name?.relname} takes an ACCESS EXCLUSIVE lock on existing partitioned table ${qualified(parent)}: reads and writes on every partition wait${concurrentForm ? '' : `; PostgreSQL ${ctx.pgVersion} has no DETACH … CONCURRENTLY (PG 14+)`}`,
          object: qualified(parent),
          location: ctx.locate(),
          hint: concurrentForm
            ? 'Use DETACH PARTITION … CONCURRENTLY (SHARE UPDATE EXCLUSIVE: queries keep running) in a migration that runs outside a transaction; it is refused when the table has a DEFAULT partition, and an interrupted one is completed with DETACH PARTITION … FINALIZE.'
            : 'Before PG 14 detaching always takes ACCESS EXCLUSIVE on the parent: set a short lock_timeout and retry, or detach in a quiet period.',
          // DETACH PARTITION is the only subcommand its statement may have, so CONCURRENTLY goes last.
          fix: concurrentForm
            ? { description: 'Detach concurrently (outside a transaction)', sql: `${NO_TRANSACTION}\n${appendToStatement(statementText(ctx), 'CONCURRENTLY')};` }
            : undefined,
        }),
    );
  },
};
