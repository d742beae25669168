import type { Finding } from '../../types.js';
import { finding, type QueryRule } from '../types.js';
import { analyze, itemTable, qualifiedName } from './scope.js';
import { relationName } from './util.js';

export const updateWithoutWhere: QueryRule = {
  id: 'update-without-where',
  area: 'query',
  severity: 'error',
  summary: 'UPDATE or DELETE without WHERE changes or removes every row of the table: in application code that is almost always a bug.',
  catalogUse:
    'Needs no catalog (it only names the table schema-qualified when one is given). Also found inside WITH (data-modifying CTEs). `WHERE CURRENT OF cursor` counts as a WHERE. When every row is meant, say so with `-- pgarch-ignore update-without-where (why)`.',
  check(ctx) {
    const out: Finding[] = [];
    for (const block of analyze(ctx.stmt.node).blocks) {
      if ((block.kind !== 'update' && block.kind !== 'delete') || block.node.whereClause) continue;
      const target = block.items[0];
      const table = itemTable(ctx, target);
      const name = relationName(table, target.rangeVar!);
      const joined = (block.node.fromClause ?? block.node.usingClause ?? []).length > 0;
      const updating = block.kind === 'update';
      out.push(
        finding(this, {
          message: `${updating ? 'UPDATE' : 'DELETE'} without WHERE ${updating ? 'changes' : 'removes'} every row of ${name}${joined ? ` (${updating ? 'FROM' : 'USING'} without a join condition pairs it with every row there)` : ''}`,
          object: table ? qualifiedName(table) : undefined,
          location: block.top ? ctx.locate() : ctx.locate(target.location),
          hint: updating
            ? 'Add the WHERE clause for the rows meant. If every row is meant, batch it (a whole-table UPDATE rewrites and locks every row at once) and mark it with -- pgarch-ignore update-without-where (why).'
            : 'Add the WHERE clause for the rows meant. To empty the table on purpose, TRUNCATE says so (and is faster), or mark it with -- pgarch-ignore update-without-where (why).',
        }),
      );
    }
    return out;
  },
};
