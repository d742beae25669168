import { finding, type MigrationRule } from '../types.js';

/** Rules whose findings already explain a rewrite: table-rewrite only speaks when none of them did. */
const EXPLAINS_REWRITE = new Set(['change-column-type', 'add-column-volatile-default', 'add-column-serial', 'add-generated-stored-column', 'vacuum-full', 'reindex-non-concurrent']);

export const tableRewrite: MigrationRule = {
  id: 'table-rewrite',
  area: 'migration',
  severity: 'warning',
  summary:
    'The statement rewrote an existing table or index (its relfilenode changed when pgarch ran it): the whole relation is copied under ACCESS EXCLUSIVE, and no other rule explains why.',
  kinds: ['AlterTableStmt', 'ClusterStmt', 'VacuumStmt', 'ReindexStmt', 'RefreshMatViewStmt'],
  check() {
    return [];
  },
  measuresRewrite: (_ctx, reported) => !reported.some((f) => EXPLAINS_REWRITE.has(f.rule)),
  afterExecute(ctx) {
    if (ctx.rewritten.length === 0 || ctx.reported.some((f) => EXPLAINS_REWRITE.has(f.rule))) return [];
    return [
      finding(this, {
        message: `Rewrote ${ctx.rewritten.join(', ')} (measured: relfilenode changed) while holding ACCESS EXCLUSIVE`,
        object: ctx.rewritten[0],
        location: ctx.locate(),
        hint: 'Expect the table to be locked for as long as copying it takes; on a large table use an expand/contract migration (new column or table, batched backfill, swap).',
      }),
    ];
  },
};
