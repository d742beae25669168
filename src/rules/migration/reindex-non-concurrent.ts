import { insertAfterKeywords } from '../../sql/rewrite.js';
import { finding, type MigrationRule } from '../types.js';
import { hasOption, optionOn } from './objects-util.js';
import { existingTable, NO_TRANSACTION, qualified, statementText } from './util.js';

export const reindexNonConcurrent: MigrationRule = {
  id: 'reindex-non-concurrent',
  area: 'migration',
  severity: 'warning',
  summary:
    'REINDEX without CONCURRENTLY blocks writes to an existing table, and queries that use the rebuilt indexes, until it finishes; PG 12+ can rebuild them concurrently.',
  kinds: ['ReindexStmt'],
  async check(ctx) {
    const { kind, relation, params } = ctx.node;
    if (optionOn(params, 'concurrently') || !relation) return [];
    const index = kind === 'REINDEX_OBJECT_INDEX';
    if (!index && kind !== 'REINDEX_OBJECT_TABLE') return [];
    const indexTable = index ? await ctx.before.indexTable(relation) : undefined;
    // A table created earlier in this deployment is empty and unused: rebuilding is instant.
    const table = index ? (indexTable && !ctx.before.isNew(indexTable) ? indexTable : undefined) : await existingTable(ctx, relation);
    if (!table) return [];
    // REINDEX … CONCURRENTLY exists from PG 12.
    const concurrentForm = ctx.pgVersion >= 12;
    const keyword = index ? 'INDEX' : 'TABLE';
    // `(CONCURRENTLY false)` already names the option: adding the keyword would contradict it.
    const rewritten = concurrentForm && !hasOption(params, 'concurrently') ? insertAfterKeywords(statementText(ctx), [keyword], 'CONCURRENTLY') : undefined;
    const what = index ? `index ${relation.relname}` : `the indexes of ${qualified(table)}`;
    return [
      finding(this, {
        severity: ctx.sized(table, this.severity),
        message: `REINDEX of ${what} blocks writes to existing table ${qualified(table)} (SHARE lock) and queries that use the ${index ? 'index' : 'indexes'} (ACCESS EXCLUSIVE) until it finishes${concurrentForm ? '' : `; PostgreSQL ${ctx.pgVersion} has no REINDEX CONCURRENTLY (PG 12+)`}`,
        object: qualified(table),
        location: ctx.locate(),
        hint: concurrentForm
          ? `Use REINDEX ${keyword} CONCURRENTLY, in a migration that runs outside a transaction.`
          : 'Before PG 12 there is no concurrent REINDEX: build a replacement with CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY the old one and rename the new one; or reindex in a quiet period.',
        fix: rewritten ? { description: 'Rebuild concurrently (outside a transaction)', sql: `${NO_TRANSACTION}\n${rewritten};` } : undefined,
      }),
    ];
  },
};
