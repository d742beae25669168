import { insertAfterKeywords } from '../../sql/rewrite.js';
import { finding, type MigrationRule } from '../types.js';
import { existingRef, NO_TRANSACTION, qualified, statementText } from './util.js';

export const createIndexNonConcurrent: MigrationRule = {
  id: 'create-index-non-concurrent',
  area: 'migration',
  severity: 'warning',
  summary: 'CREATE INDEX without CONCURRENTLY holds a SHARE lock that blocks every write to an existing table while the index builds.',
  kinds: ['IndexStmt'],
  onlyExistingTables: true,
  async check(ctx) {
    if (ctx.node.concurrent) return [];
    const table = await existingRef(ctx, ctx.node.relation);
    // A table created earlier in this deployment is empty and unused: building on it is instant.
    if (!table) return [];
    const rewritten = insertAfterKeywords(statementText(ctx), ['INDEX'], 'CONCURRENTLY');
    return [
      finding(this, {
        severity: ctx.sized(table, this.severity),
        message: `CREATE INDEX on existing table ${qualified(table)} blocks writes (SHARE lock) until the index is built`,
        object: qualified(table),
        location: ctx.locate(),
        hint: 'Build it with CREATE INDEX CONCURRENTLY, in a migration that runs outside a transaction.',
        fix: rewritten ? { description: 'Build the index concurrently (outside a transaction)', sql: `${NO_TRANSACTION}\n${rewritten};` } : undefined,
      }),
    ];
  },
};
