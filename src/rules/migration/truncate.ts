import type { Finding } from '../../types.js';
import { finding, type AnyNode, type MigrationRule } from '../types.js';
import { existingRef, qualified } from './util.js';

export const truncate: MigrationRule = {
  id: 'truncate',
  area: 'migration',
  severity: 'warning',
  summary: 'TRUNCATE, or DELETE without WHERE, of an existing table removes all of its production data (TRUNCATE also takes an ACCESS EXCLUSIVE lock).',
  kinds: ['TruncateStmt', 'DeleteStmt'],
  async check(ctx) {
    const truncating = ctx.stmt.kind === 'TruncateStmt';
    // DELETE … WHERE removes chosen rows: update-without-where and backfill rules look at those.
    if (!truncating && ctx.node.whereClause) return [];
    const relations: AnyNode[] = truncating ? (ctx.node.relations ?? []).map((r: AnyNode) => r.RangeVar) : [ctx.node.relation];
    const out: Finding[] = [];
    for (const relation of relations) {
      // A table created earlier in this deployment holds only what this migration put there.
      const table = await existingRef(ctx, relation);
      if (!table) continue;
      out.push(
        finding(this, {
          message: truncating
            ? `TRUNCATE removes every row of existing table ${qualified(table)}${ctx.node.behavior === 'DROP_CASCADE' ? ', and CASCADE empties the tables that reference it' : ''}, under an ACCESS EXCLUSIVE lock`
            : `DELETE without WHERE removes every row of existing table ${qualified(table)}`,
          object: qualified(table),
          location: ctx.locate(),
          hint: truncating
            ? 'Make sure emptying production data is intended (and backed up); mark it with -- pgarch-ignore truncate (why) if it is.'
            : 'Add a WHERE clause for the rows meant; if every row is meant, delete in batches (a large DELETE bloats the table and holds row locks) or TRUNCATE deliberately.',
        }),
      );
    }
    return out;
  },
};
