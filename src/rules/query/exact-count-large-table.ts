import { quoteIdent, quoteLiteral } from '../../sql/quote.js';
import type { Finding, Fix } from '../../types.js';
import { finding, type AnyNode, type QueryRule, type QueryRuleContext } from '../types.js';
import { analyze, isRowCount, itemTable, qualifiedName, type QueryBlock } from './scope.js';
import { relationName, relationSql } from './util.js';
import type { Table } from '../../catalog/types.js';

export const exactCountLargeTable: QueryRule = {
  id: 'exact-count-large-table',
  area: 'query',
  severity: 'warning',
  summary:
    'An unfiltered count(*) of a large table reads every row (PostgreSQL keeps no row count: MVCC visibility is checked row by row); the planner\'s reltuples estimate is instant.',
  catalogUse:
    'Needs a table size, and is silent without one: `--assume-rows table=N` (with or without a catalog), or the statistics of a live database (`--database URL --live`). Schema files applied to a scratch database have no statistics. Reported when the size reaches the small-table threshold (`smallTableRows`, default 10,000).',
  check(ctx) {
    const out: Finding[] = [];
    for (const block of analyze(ctx.stmt.node).blocks) {
      const node = block.node;
      if (block.kind !== 'select' || block.setOperation || node.whereClause || node.groupClause || node.havingClause) continue;
      if (block.items.length !== 1 || block.items[0].kind !== 'table' || block.entries.length !== 1) continue;
      const count = (node.targetList ?? []).find((t: AnyNode) => isRowCount(t.ResTarget?.val));
      if (!count) continue;
      const rv = block.items[0].rangeVar!;
      const table = itemTable(ctx, block.items[0]);
      const rows = ctx.rows(table ?? { schema: rv.schemaname, name: rv.relname });
      if (rows === undefined || rows < ctx.smallTableRows) continue;
      const name = relationName(table, rv);
      out.push(
        finding(this, {
          message: `count(*) of all of ${name} reads every one of its ~${Math.round(rows).toLocaleString('en-US')} rows to produce an exact number`,
          object: table ? qualifiedName(table) : undefined,
          location: ctx.locate(count.ResTarget.val.FuncCall.location),
          hint: 'If an estimate will do (a dashboard, a page count), read pg_class.reltuples, which VACUUM and ANALYZE keep current; if the exact number matters, maintain a counter (a trigger-fed table) or cache the result.',
          fix: estimateFix(ctx, block, table, rv),
        }),
      );
    }
    return out;
  },
};

function estimateFix(ctx: QueryRuleContext, block: QueryBlock, table: Table | undefined, rv: AnyNode): Fix | undefined {
  const node = block.node;
  if (!block.top || (ctx.stmt.node as AnyNode).SelectStmt !== node || node.targetList.length !== 1 || node.limitOffset) return undefined;
  const alias = node.targetList[0].ResTarget.name ?? 'count';
  const regclass = `${quoteLiteral(relationSql(table, rv))}::regclass`;
  const column = quoteIdent(alias);
  if (table?.kind === 'partitioned table') {
    return {
      description: 'The planner\'s estimate summed over the partitions (pg_class.reltuples, kept by VACUUM and ANALYZE): instant, usually within a few percent',
      sql: `SELECT sum(greatest(c.reltuples, 0))::bigint AS ${column}\nFROM pg_partition_tree(${regclass}) AS p\nJOIN pg_class AS c ON c.oid = p.relid\nWHERE p.isleaf;`,
    };
  }
  return {
    description: 'The planner\'s estimate (pg_class.reltuples, kept by VACUUM and ANALYZE): instant, usually within a few percent; NULL until the table is first analyzed (PG 14+)',
    sql: `SELECT CASE WHEN reltuples < 0 THEN NULL ELSE reltuples::bigint END AS ${column}\nFROM pg_class\nWHERE oid = ${regclass};`,
  };
}
