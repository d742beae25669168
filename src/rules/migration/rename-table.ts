import { quoteIdent } from '../../sql/quote.js';
import { finding, type MigrationRule } from '../types.js';
import { relationName } from './objects-util.js';
import { existingRef, qualified } from './util.js';

export const renameTable: MigrationRule = {
  id: 'rename-table',
  area: 'migration',
  severity: 'warning',
  summary:
    'Renaming an existing table breaks every running query that uses the old name (the previous release keeps running during a deploy); expand/contract, or leave a view with the old name.',
  kinds: ['RenameStmt'],
  async check(ctx) {
    const { renameType, relation, newname } = ctx.node;
    if (renameType !== 'OBJECT_TABLE') return [];
    // A table created earlier in this deployment: no running code knows its name yet.
    const table = await existingRef(ctx, relation);
    if (!table) return [];
    const oldName = relationName(relation);
    // The new name stays in the table's schema; qualify it as the statement qualified the old one.
    const newName = relationName({ schemaname: relation.schemaname, relname: newname });
    return [
      finding(this, {
        message: `Renaming existing table ${qualified(table)} to ${newname} breaks running code that still uses the old name`,
        object: qualified(table),
        location: ctx.locate(),
        hint: 'Expand/contract: create the new table, write to both, backfill, switch reads, then drop the old one. Or rename it and, in the same transaction, create a view with the old name (a simple view is updatable, PG 9.3+), dropped once no deployed code uses it.',
        fix: {
          description: 'Rename, and keep the old name working as an updatable view until every deployed release uses the new one',
          sql: [
            `ALTER TABLE ${oldName} RENAME TO ${quoteIdent(newname)};`,
            `CREATE VIEW ${oldName} AS SELECT * FROM ${newName};`,
            `-- in a later migration, once no deployed code uses ${relation.relname}:`,
            `-- DROP VIEW ${oldName};`,
          ].join('\n'),
        },
      }),
    ];
  },
};
