import { finding, type MigrationRule } from '../types.js';
import { addedEarlierInFile, columnPath, commandsOf, findColumn } from './columns-util.js';
import { existingTable, qualified } from './util.js';

export const dropColumn: MigrationRule = {
  id: 'drop-column',
  area: 'migration',
  severity: 'warning',
  summary: 'DROP COLUMN on an existing table breaks application code that is still running and still reads or writes the column (the migration deploys before, or without, the code).',
  kinds: ['AlterTableStmt'],
  alterSubtypes: ['AT_DropColumn'],
  async check(ctx) {
    // Columns this migration added are decided from the parse tree, before any catalog read.
    const drops = commandsOf(ctx, 'AT_DropColumn').filter(({ cmd }) => !addedEarlierInFile(ctx, ctx.node.relation, cmd.name));
    if (drops.length === 0) return [];
    // A table created earlier in this deployment has no code using it yet.
    const table = await existingTable(ctx, ctx.node.relation);
    if (!table) return [];
    return drops
      // DROP COLUMN IF EXISTS of a missing column does nothing (parse-only mode knows no columns).
      .filter(({ cmd }) => !ctx.before.detailed || findColumn(table, cmd.name))
      .map(({ cmd, index }) =>
        finding(this, {
          message: `DROP COLUMN ${columnPath(table, cmd.name)} on existing table ${qualified(table)}: running code that still selects, inserts or maps it fails`,
          object: columnPath(table, cmd.name),
          location: ctx.locateCommand(index),
          hint: 'First deploy code that no longer reads or writes the column (and ORMs that ignore it), then drop it in a later release.',
        }),
      );
  },
};
