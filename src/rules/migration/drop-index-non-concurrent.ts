import type { Finding } from '../../types.js';
import { finding, type MigrationRule } from '../types.js';
import { listName, relationName } from './objects-util.js';
import { NO_TRANSACTION, qualified } from './util.js';

export const dropIndexNonConcurrent: MigrationRule = {
  id: 'drop-index-non-concurrent',
  area: 'migration',
  severity: 'warning',
  summary:
    "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's existing table: it waits for running queries, and every read and write queues behind it.",
  kinds: ['DropStmt'],
  async check(ctx) {
    if (ctx.node.removeType !== 'OBJECT_INDEX' || ctx.node.concurrent) return [];
    const out: Finding[] = [];
    for (const object of ctx.node.objects ?? []) {
      const index = listName(object);
      const table = index && (await ctx.before.indexTable(index));
      // An index on a table created earlier in this deployment: nothing else uses the table yet.
      if (!index || !table || ctx.before.isNew(table)) continue;
      // DROP INDEX CONCURRENTLY drops one index, without CASCADE, and not a partitioned index (through PG 18).
      const fixable = ctx.node.behavior !== 'DROP_CASCADE' && table.kind === 'table';
      out.push(
        finding(this, {
          severity: ctx.sized(table, this.severity),
          message: `DROP INDEX ${index.relname} takes an ACCESS EXCLUSIVE lock on existing table ${qualified(table)}: it waits for running queries and blocks all reads and writes queued behind it`,
          object: qualified(table),
          location: ctx.locate(),
          hint:
            table.kind === 'partitioned table'
              ? 'An index on a partitioned table cannot be dropped concurrently: set a short lock_timeout and retry, or drop it in a quiet period.'
              : 'Drop it with DROP INDEX CONCURRENTLY (one index per statement, no CASCADE), in a migration that runs outside a transaction.',
          fix: fixable
            ? {
                description: 'Drop the index concurrently (outside a transaction)',
                sql: `${NO_TRANSACTION}\nDROP INDEX CONCURRENTLY ${ctx.node.missing_ok ? 'IF EXISTS ' : ''}${relationName(index)};`,
              }
            : undefined,
        }),
      );
    }
    return out;
  },
};
