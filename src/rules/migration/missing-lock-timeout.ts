import { documentedLock } from '../../migrate/locks.js';
import { rangeVars } from '../../migrate/statement.js';
import { finding, type MigrationRule, type MigrationRuleContext } from '../types.js';
import { existingRef, qualified } from './util.js';

export const missingLockTimeout: MigrationRule = {
  id: 'missing-lock-timeout',
  area: 'migration',
  severity: 'warning',
  summary:
    'A statement that needs ACCESS EXCLUSIVE on an existing table waits behind every running query, and every new query queues behind it: without lock_timeout one slow query takes the table down.',
  // Statements that can take ACCESS EXCLUSIVE (see documentedLock).
  kinds: ['AlterTableStmt', 'DropStmt', 'RenameStmt', 'TruncateStmt', 'ClusterStmt', 'ReindexStmt', 'VacuumStmt', 'RefreshMatViewStmt', 'LockStmt'],
  onlyExistingTables: true,
  async check(ctx) {
    if (ctx.tx.lockTimeout || documentedLock(ctx.stmt.node, ctx.stmt.kind) !== 'AccessExclusiveLock') return [];
    const rv = ctx.node.relation ?? rangeVars(ctx.node)[0];
    const table = ctx.stmt.kind === 'DropStmt' && ctx.node.removeType === 'OBJECT_INDEX' ? await indexTable(ctx) : await existingRef(ctx, rv);
    if (!table) return [];
    return [
      finding(this, {
        severity: ctx.sized(table, this.severity),
        message: `${ctx.stmt.kind === 'DropStmt' ? 'DROP' : 'This statement'} takes ACCESS EXCLUSIVE on ${qualified(table)} with no lock_timeout set: while it waits for the lock, all reads and writes on the table queue behind it`,
        object: qualified(table),
        location: ctx.locate(),
        hint: "Set a short lock_timeout at the start of the migration and retry on timeout: SET lock_timeout = '5s';",
        fix: { description: 'Give up quickly instead of queueing every query behind the lock', sql: `SET lock_timeout = '5s';\n${ctx.stmt.text.trim()};` },
      }),
    ];
  },
};

async function indexTable(ctx: MigrationRuleContext) {
  const parts: string[] = (ctx.node.objects?.[0]?.List?.items ?? []).map((i: { String?: { sval: string } }) => i.String?.sval);
  if (!parts.length) return undefined;
  const table = await ctx.before.indexTable(parts.length > 1 ? { schemaname: parts[0], relname: parts[1] } : { relname: parts[0] });
  return table && !ctx.before.isNew(table) ? table : undefined;
}
