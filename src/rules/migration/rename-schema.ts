import { finding, type MigrationRule } from '../types.js';
import { createdEarlier } from './objects-util.js';

export const renameSchema: MigrationRule = {
  id: 'rename-schema',
  area: 'migration',
  severity: 'warning',
  summary: 'ALTER SCHEMA … RENAME TO breaks every running query, search_path setting and grant script that names the old schema.',
  kinds: ['RenameStmt'],
  check(ctx) {
    const { renameType, subname, newname } = ctx.node;
    if (renameType !== 'OBJECT_SCHEMA') return [];
    // A schema created earlier in this migration: no running code knows its name yet.
    if (createdEarlier(ctx, 'CreateSchemaStmt', (node) => node.schemaname === subname)) return [];
    return [
      finding(this, {
        message: `Renaming schema ${subname} to ${newname} breaks running code, search_path settings and functions that name ${subname}`,
        object: subname,
        location: ctx.locate(),
        hint: `Expand/contract: create schema ${newname}, move or recreate objects there while code reads both (views in the old schema can forward), switch the code and search_path, then drop ${subname} in a later release.`,
      }),
    ];
  },
};
