import { quoteIdent } from '../../sql/quote.js';
import type { Finding, Fix } from '../../types.js';
import { finding, type AnyNode, type QueryRule, type QueryRuleContext } from '../types.js';
import { analyze, integerConstant, isRowCount, operatorName, type NodeAt } from './scope.js';
import { rewrite } from './util.js';

/** `count OP constant` → true: an existence test, false: a non-existence test. */
const EXISTENCE: Record<string, Record<number, boolean>> = {
  '>': { 0: true },
  '>=': { 1: true },
  '<>': { 0: true },
  '=': { 0: false },
  '<': { 1: false },
  '<=': { 0: false },
};
const FLIPPED: Record<string, string> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=', '=': '=', '<>': '<>' };

export const countForExistence: QueryRule = {
  id: 'count-for-existence',
  area: 'query',
  severity: 'warning',
  summary: 'count(*) compared with 0 (or 1) to test whether rows exist counts every matching row; EXISTS stops at the first one.',
  catalogUse:
    'Needs no catalog: `count(*) > 0`, `>= 1`, `<> 0`, `= 0`, `< 1` (either operand order), on the query\'s own count without GROUP BY, or on a scalar `(SELECT count(*) …)` sub-select. The fix rewrites a statement whose only output is the comparison, or the sub-select comparison in place.',
  check(ctx) {
    const out: Finding[] = [];
    for (const at of analyze(ctx.stmt.node).nodes) {
      if (at.type !== 'A_Expr' || at.node.kind !== 'AEXPR_OP') continue;
      const test = existenceTest(at.node);
      if (!test) continue;
      const ownCount = test.count.FuncCall !== undefined;
      // Per group, count(*) is never 0: with GROUP BY the comparison is no existence test.
      if (ownCount && (at.block?.node.groupClause || at.block?.kind !== 'select')) continue;
      const countCall: AnyNode = ownCount ? test.count.FuncCall : test.count.SubLink.subselect.SelectStmt.targetList[0].ResTarget.val.FuncCall;
      out.push(
        finding(this, {
          message: `${ownCount ? (ctx.sql.source(at.node) ?? 'count(*) > 0') : `(SELECT count(*) …) ${test.exists ? '> 0' : '= 0'}`} counts every matching row only to learn whether ${test.exists ? 'one exists' : 'none exists'}`,
          location: ctx.locate(countCall.location),
          hint: `Use ${test.exists ? 'EXISTS' : 'NOT EXISTS'} (SELECT 1 FROM … WHERE …): it stops at the first matching row instead of counting them all.`,
          fix: ownCount ? ownCountFix(ctx, at, test.exists) : subselectFix(ctx, at, test.count.SubLink, test.exists),
        }),
      );
    }
    return out;
  },
};

/** The count side of `count(*) > 0` (or of `(SELECT count(*) …) = 0`) and whether it tests existence. */
function existenceTest(expr: AnyNode): { count: AnyNode; exists: boolean } | undefined {
  const op = operatorName(expr);
  if (!op || !(op in FLIPPED)) return undefined;
  const sides: Array<[AnyNode, AnyNode, string]> = [
    [expr.lexpr, expr.rexpr, op],
    [expr.rexpr, expr.lexpr, FLIPPED[op]],
  ];
  for (const [count, other, o] of sides) {
    const value = integerConstant(other);
    if (value === undefined || !(isRowCount(count) || isCountSubselect(count))) continue;
    const exists = EXISTENCE[o]?.[value];
    if (exists !== undefined) return { count, exists };
  }
  return undefined;
}

/** `(SELECT count(*) FROM … [WHERE …])`: one row, the number of matching rows. */
function isCountSubselect(node: AnyNode | undefined): boolean {
  const link = node?.SubLink;
  const select = link?.subLinkType === 'EXPR_SUBLINK' ? link.subselect?.SelectStmt : undefined;
  if (!select || (select.op && select.op !== 'SETOP_NONE') || select.groupClause || select.havingClause || select.limitOffset || select.limitCount) return false;
  return select.targetList?.length === 1 && isRowCount(select.targetList[0].ResTarget?.val) && Boolean(select.fromClause);
}

/** `SELECT count(*) > 0 AS x FROM t WHERE …` → `SELECT EXISTS (SELECT 1 FROM t WHERE …) AS x`. */
function ownCountFix(ctx: QueryRuleContext, at: NodeAt, exists: boolean): Fix | undefined {
  const block = at.block!;
  const node = block.node;
  if (!block.top || (ctx.stmt.node as AnyNode).SelectStmt !== node || at.clause !== 'targetList' || node.targetList.length !== 1) return undefined;
  if (node.targetList[0].ResTarget?.val?.A_Expr !== at.node || !node.fromClause || node.distinctClause || node.windowClause || node.limitOffset || node.havingClause) return undefined;
  const clauses = ctx.sql.clauses();
  if (!clauses || clauses.at.select === undefined || clauses.at.from === undefined) return undefined;
  const tokens = ctx.sql.tokens;
  const text = ctx.sql.text;
  const listEnd = ctx.sql.span(clauses.at.select + 1, clauses.at.from).end;
  const fromStart = tokens[clauses.at.from].start;
  const bodyEnd = ctx.sql.span(clauses.at.from, clauses.bodyEnd(clauses.at.where !== undefined ? 'where' : 'from')).end;
  const alias = node.targetList[0].ResTarget.name ? ` AS ${quoteIdent(node.targetList[0].ResTarget.name)}` : '';
  const head = text.slice(0, tokens[clauses.at.select].end);
  const sql = `${head} ${exists ? '' : 'NOT '}EXISTS (SELECT 1${text.slice(listEnd, fromStart)}${text.slice(fromStart, bodyEnd)})${alias}`;
  return { description: `${exists ? 'EXISTS' : 'NOT EXISTS'} answers the same yes/no question and stops at the first matching row`, sql: `${sql.trim()};` };
}

/** `(SELECT count(*) FROM t WHERE …) > 0` → `EXISTS (SELECT 1 FROM t WHERE …)`, in place. */
function subselectFix(ctx: QueryRuleContext, at: NodeAt, link: AnyNode, exists: boolean): Fix | undefined {
  const comparison = ctx.sql.extent(at.node);
  const open = ctx.sql.offset(link.location);
  if (!comparison || open === undefined) return undefined;
  const openIndex = ctx.sql.tokenAt(open);
  if (ctx.sql.tokens[openIndex].text !== '(') return undefined;
  const close = ctx.sql.matching(openIndex);
  if (close === undefined) return undefined;
  const clauses = ctx.sql.clauses(openIndex + 1, close);
  if (!clauses || clauses.at.from === undefined) return undefined;
  const extra = (['group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for'] as const).some((c) => clauses.at[c] !== undefined);
  if (extra) return undefined;
  const from = ctx.sql.span(clauses.at.from, close);
  const sub = ctx.sql.text.slice(from.start, from.end);
  return {
    description: `${exists ? 'EXISTS' : 'NOT EXISTS'} answers the same yes/no question and stops at the first matching row`,
    sql: rewrite(ctx, [{ start: comparison.start, end: comparison.end, text: `${exists ? '' : 'NOT '}EXISTS (SELECT 1 ${sub})` }]),
  };
}
