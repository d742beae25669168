import { finding, type MigrationRule } from '../types.js';
import { addedEarlierInFile, columnPath, commandsOf, findColumn } from './columns-util.js';
import { existingTable } from './util.js';

export const dropNotNull: MigrationRule = {
  id: 'drop-not-null',
  area: 'migration',
  severity: 'info',
  summary: 'DROP NOT NULL on an existing column lets NULLs in that application code still running may not expect (crashes, wrong totals, broken uniqueness assumptions).',
  kinds: ['AlterTableStmt'],
  alterSubtypes: ['AT_DropNotNull'],
  async check(ctx) {
    // Columns this migration added are decided from the parse tree, before any catalog read.
    const drops = commandsOf(ctx, 'AT_DropNotNull').filter(({ cmd }) => !addedEarlierInFile(ctx, ctx.node.relation, cmd.name));
    if (drops.length === 0) return [];
    // A table created earlier in this deployment has no code reading it yet.
    const table = await existingTable(ctx, ctx.node.relation);
    if (!table) return [];
    return drops
      // Only a column that is NOT NULL now changes (parse-only mode cannot tell, so it reports).
      .filter(({ cmd }) => !ctx.before.detailed || findColumn(table, cmd.name)?.notNull)
      .map(({ cmd, index }) =>
        finding(this, {
          message: `DROP NOT NULL on ${columnPath(table, cmd.name)}: existing code that reads it may not handle NULL`,
          object: columnPath(table, cmd.name),
          location: ctx.locateCommand(index),
          hint: 'Make every reader handle NULL (and deploy it) before any writer stores one.',
        }),
      );
  },
};
