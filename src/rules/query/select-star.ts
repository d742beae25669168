import { quoteIdent } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type AnyNode, type QueryRule, type QueryRuleContext } from '../types.js';
import { analyze, contains, itemTable, qualifiedName, rangeVarName, type FromItem, type QueryBlock } from './scope.js';
import { rewrite } from './util.js';

export const selectStar: QueryRule = {
  id: 'select-star',
  area: 'query',
  severity: 'warning',
  summary:
    'SELECT * in an application query ships every column (large ones too) and changes shape whenever the table gains, loses, renames or reorders a column.',
  catalogUse:
    'Reported with or without a catalog, for a star over at least one table (a star over sub-selects or CTEs of the same statement is left alone, and so is one inside EXISTS or another sub-select). With a catalog, when every relation under the star is a table it knows, the fix names its columns as they are today, in order.',
  check(ctx) {
    const out: Finding[] = [];
    for (const block of analyze(ctx.stmt.node).blocks) {
      if (!block.top || block.kind !== 'select' || block.setOperation) continue;
      for (const target of block.node.targetList ?? []) {
        const ref = target.ResTarget?.val?.ColumnRef as AnyNode | undefined;
        if (!ref?.fields?.some((f: AnyNode) => f.A_Star)) continue;
        const names = (ref.fields as AnyNode[]).filter((f) => f.String).map((f) => f.String.sval as string);
        const covered = names.length ? block.items.filter((i) => i.name === names[names.length - 1]) : block.items;
        const tables = covered.filter((i) => i.kind === 'table');
        if (tables.length === 0) continue;
        const described = tables.map((i) => describe(ctx, i)).join(', ');
        out.push(
          finding(this, {
            message: `SELECT ${names.length ? (ctx.sql.source(ref) ?? `${names.join('.')}.*`) : '*'} returns every column of ${described}: the result changes whenever ${tables.length > 1 ? 'those tables change' : 'the table changes'}`,
            object: tables.length === 1 ? objectName(ctx, tables[0]) : undefined,
            location: ctx.locate(ref.location),
            hint: 'Name the columns the code reads; new columns (and large ones) then cost nothing, and a renamed or dropped column fails here instead of in the application.',
            fix: starFix(ctx, block, ref, covered),
          }),
        );
      }
    }
    return out;
  },
};

function describe(ctx: QueryRuleContext, item: FromItem): string {
  const name = objectName(ctx, item);
  return item.name && item.rangeVar && item.name !== item.rangeVar.relname ? `${name} (${item.name})` : name;
}

function objectName(ctx: QueryRuleContext, item: FromItem): string {
  const table = itemTable(ctx, item);
  return table ? qualifiedName(table) : rangeVarName(item.rangeVar!);
}

/** The statement with the star replaced by the columns it stands for today, when the catalog knows them all. */
function starFix(ctx: QueryRuleContext, block: QueryBlock, ref: AnyNode, covered: FromItem[]): { description: string; sql: string } | undefined {
  // USING / NATURAL joins merge the join columns under a star: a column list would repeat them.
  if (contains(block.node.fromClause, ['JoinExpr']) && hasMergedColumns(block.node.fromClause)) return undefined;
  const lists: string[][] = [];
  for (const item of covered) {
    const table = itemTable(ctx, item);
    if (!table) return undefined;
    const columns = table.columns.map((c) => c.name);
    // An alias column list renames the first columns.
    if (item.columns) columns.splice(0, item.columns.length, ...item.columns);
    const qualify = covered.length > 1 || (ref.fields as AnyNode[]).length > 1;
    lists.push(columns.map((c) => (qualify && item.name ? `${quoteIdent(item.name)}.${quoteIdent(c)}` : quoteIdent(c))));
  }
  const start = ctx.sql.offset(ref.location);
  if (start === undefined) return undefined;
  const star = ctx.sql.find('*', ctx.sql.tokenAt(start));
  if (star === undefined) return undefined;
  const columns = lists.flat();
  return {
    description: `Name the ${columns.length} columns the star stands for today (keep only those the code reads)`,
    sql: rewrite(ctx, [{ start, end: ctx.sql.tokens[star].end, text: columns.join(', ') }]),
  };
}

function hasMergedColumns(from: unknown): boolean {
  let merged = false;
  const visit = (n: unknown) => {
    if (merged || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const j = (n as AnyNode).JoinExpr;
    if (j && (j.usingClause || j.isNatural)) merged = true;
    for (const v of Object.values(n as AnyNode)) visit(v);
  };
  visit(from);
  return merged;
}
