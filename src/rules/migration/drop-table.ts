import type { Finding } from '../../types.js';
import { finding, type MigrationRule } from '../types.js';
import { listName } from './objects-util.js';
import { qualified } from './util.js';

export const dropTable: MigrationRule = {
  id: 'drop-table',
  area: 'migration',
  severity: 'warning',
  summary: 'DROP TABLE of an existing table destroys its data irreversibly and breaks any running code that still uses it.',
  kinds: ['DropStmt'],
  async check(ctx) {
    if (ctx.node.removeType !== 'OBJECT_TABLE') return [];
    const out: Finding[] = [];
    for (const object of ctx.node.objects ?? []) {
      const name = listName(object);
      const table = name && (await ctx.before.table(name));
      // A table created earlier in this deployment holds nothing yet.
      if (!table || ctx.before.isNew(table)) continue;
      const rows = ctx.before.rows(table);
      out.push(
        finding(this, {
          // Known to be empty (--assume-rows, live statistics): only the running code is at risk.
          severity: rows === 0 ? 'info' : this.severity,
          message: `DROP TABLE ${qualified(table)} deletes an existing table${rows ? ` (~${Math.round(rows)} rows)` : ''} and its data${ctx.node.behavior === 'DROP_CASCADE' ? ', and CASCADE drops the views and foreign keys that depend on it' : ''}`,
          object: qualified(table),
          location: ctx.locate(),
          hint: 'Release code that no longer reads or writes it first, keep a backup (pg_dump -t), and drop it in a later migration; or rename it first and drop it once nothing complained.',
        }),
      );
    }
    return out;
  },
};
