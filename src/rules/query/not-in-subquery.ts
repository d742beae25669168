import { quoteIdent } from '../../sql/quote.js';
import type { Finding, Fix } from '../../types.js';
import { finding, type AnyNode, type QueryRule, type QueryRuleContext } from '../types.js';
import { analyze, columnNames, firstLocation, operatorName, qualifiedName, resolveColumn, type NodeAt, type QueryBlock } from './scope.js';
import { rewrite } from './util.js';

export const notInSubquery: QueryRule = {
  id: 'not-in-subquery',
  area: 'query',
  severity: 'warning',
  summary:
    'NOT IN (SELECT …) returns no rows at all as soon as the sub-select yields one NULL, and PostgreSQL cannot plan it as an anti-join; NOT EXISTS has neither problem.',
  catalogUse:
    'Reported with or without a catalog (also `<> ALL (SELECT …)`). With a catalog the message says whether the sub-select\'s column can hold NULLs today. The NOT EXISTS fix needs a single-column sub-select without GROUP BY, LIMIT or set operations, and an outer operand it can qualify (a qualified column, the only table of its query, or a column the catalog places).',
  check(ctx) {
    const out: Finding[] = [];
    const analysis = analyze(ctx.stmt.node);
    for (const at of analysis.nodes) {
      const link = notInLink(at);
      if (!link) continue;
      const select = link.subselect?.SelectStmt as AnyNode | undefined;
      if (!select) continue;
      const inner = analysis.blocks.find((b) => b.node === select);
      const target = select.targetList?.length === 1 ? select.targetList[0].ResTarget?.val : undefined;
      const resolved = target?.ColumnRef && inner ? resolveColumn(ctx, target.ColumnRef, inner) : undefined;
      const operand = `${ctx.sql.source(link.testexpr) ?? 'value'} ${link.subLinkType === 'ALL_SUBLINK' ? '<> ALL' : 'NOT IN'}`;
      let message = `${operand} (SELECT …) returns no rows at all if the sub-select ever yields a NULL, and cannot be planned as an anti-join`;
      if (resolved?.kind === 'table') {
        const column = `${qualifiedName(resolved.table)}.${resolved.column.name}`;
        message = resolved.column.notNull
          ? `${operand} (SELECT ${resolved.column.name} …) cannot be planned as an anti-join (${column} is NOT NULL today, so no NULL trap yet)`
          : `${operand} (SELECT ${resolved.column.name} …) returns no rows at all once ${column} (nullable) holds a NULL, and cannot be planned as an anti-join`;
      }
      out.push(
        finding(this, {
          message,
          object: resolved?.kind === 'table' ? qualifiedName(resolved.table) : undefined,
          location: ctx.locate(firstLocation(link.testexpr) ?? link.location),
          hint: 'Use NOT EXISTS (SELECT 1 FROM … WHERE inner.col = outer.col): NULL-safe, and planned as an anti-join.',
          fix: inner && at.block ? notExistsFix(ctx, at, link, inner, at.block) : undefined,
        }),
      );
    }
    return out;
  },
};

/** The sub-link of `x NOT IN (SELECT …)` (a NOT over `= ANY`) or `x <> ALL (SELECT …)`. */
function notInLink(at: NodeAt): AnyNode | undefined {
  if (at.type === 'BoolExpr' && at.node.boolop === 'NOT_EXPR' && at.node.args?.length === 1) {
    const link = at.node.args[0].SubLink;
    if (link?.subLinkType === 'ANY_SUBLINK' && (!link.operName || operatorName({ name: link.operName }) === '=')) return link;
  }
  if (at.type === 'SubLink' && at.node.subLinkType === 'ALL_SUBLINK' && operatorName({ name: at.node.operName }) === '<>') return at.node;
  return undefined;
}

function notExistsFix(ctx: QueryRuleContext, at: NodeAt, link: AnyNode, inner: QueryBlock, outer: QueryBlock): Fix | undefined {
  const select = inner.node;
  if (inner.setOperation || select.targetList?.length !== 1 || select.groupClause || select.havingClause || select.windowClause) return undefined;
  if (select.limitCount || select.limitOffset || select.withClause || !select.fromClause) return undefined;
  if ((select.distinctClause ?? []).some((d: AnyNode) => Object.keys(d).length > 0)) return undefined; // DISTINCT ON
  const testexpr = link.testexpr as AnyNode;
  const innerNames = new Set(inner.items.map((i) => i.name));
  let outerText: string | undefined;
  if (testexpr.ColumnRef) {
    const names = columnNames(testexpr.ColumnRef);
    if (!names) return undefined;
    let qualifier = names.length > 1 ? names[names.length - 2] : undefined;
    if (!qualifier) {
      const resolved = resolveColumn(ctx, testexpr.ColumnRef, outer);
      qualifier = outer.items.length === 1 ? outer.items[0].name : resolved.kind === 'table' || resolved.kind === 'named' ? resolved.item.name : undefined;
      if (!qualifier) return undefined;
      outerText = `${quoteIdent(qualifier)}.${quoteIdent(names[0])}`;
    } else outerText = ctx.sql.source(testexpr);
    // Inside the sub-select the outer name must not be shadowed by one of its own relations.
    if (innerNames.has(qualifier)) return undefined;
  } else if (testexpr.A_Const || testexpr.ParamRef) outerText = ctx.sql.source(testexpr);
  if (!outerText) return undefined;

  const whole = ctx.sql.extent(at.node);
  const linkAt = ctx.sql.offset(link.location);
  if (!whole || linkAt === undefined) return undefined;
  const open = ctx.sql.find('(', ctx.sql.tokenAt(linkAt));
  const close = open === undefined ? undefined : ctx.sql.matching(open);
  if (open === undefined || close === undefined) return undefined;
  const clauses = ctx.sql.clauses(open + 1, close);
  if (!clauses || clauses.at.from === undefined) return undefined;
  const text = ctx.sql.text;
  const from = ctx.sql.span(clauses.at.from, clauses.bodyEnd('from'));
  const target = ctx.sql.source(select.targetList[0].ResTarget.val);
  if (!target) return undefined;
  let condition = `${target} = ${outerText}`;
  if (clauses.at.where !== undefined) {
    const where = ctx.sql.span(clauses.at.where + 1, clauses.bodyEnd('where'));
    const whereText = text.slice(where.start, where.end);
    condition = `${select.whereClause?.BoolExpr?.boolop === 'OR_EXPR' ? `(${whereText})` : whereText} AND ${condition}`;
  }
  return {
    description: 'NOT EXISTS returns the same rows while neither side is NULL; unlike NOT IN, a NULL in the sub-select no longer empties the result, and it is planned as an anti-join',
    sql: rewrite(ctx, [{ start: whole.start, end: whole.end, text: `NOT EXISTS (SELECT 1 ${text.slice(from.start, from.end)} WHERE ${condition})` }]),
  };
}
