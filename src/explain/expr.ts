// Plan expressions (Filter, Index Cond, Join Filter …) are PostgreSQL's own deparsed SQL, so they are
// read with the real parser and scanner: which columns a condition tests, and the text without the
// plan's table alias (so it can go into CREATE INDEX … WHERE).
import { parseSync, scanSync } from '../sql/pg-parser.js';
import type { AnyNode } from '../rules/types.js';
import { quoteIdent } from '../sql/quote.js';

export interface ConditionColumns {
  /** Columns compared with `=` / IN / IS NULL: the leading keys of a useful index. */
  equality: string[];
  /** Columns compared with a range operator (<, >, BETWEEN, LIKE 'x%'): the last key. */
  range: string[];
  /**
   * Function calls on one column compared with `=` (`date(placed_at)`, `lower(email)`): keys of an
   * expression index, as SQL text.
   */
  expressions: string[];
}

/** Parse a plan expression; undefined when it is not a boolean expression PostgreSQL's grammar accepts. */
function parseCondition(expr: string): AnyNode | undefined {
  try {
    const tree = parseSync(`SELECT WHERE ${expr}`) as AnyNode;
    return tree.stmts?.[0]?.stmt?.SelectStmt?.whereClause;
  } catch {
    return undefined;
  }
}

const RANGE_OPS = new Set(['<', '>', '<=', '>=', '~~', '~~*', '!~~', '@>', '<@', '&&']);

/**
 * The columns a condition compares with something that does not involve other columns of the same
 * `alias` (a constant, a parameter, or another table's column), split into equality and range use.
 * `alias` limits the answer to that table's columns (plan expressions qualify columns in VERBOSE mode
 * and in joins); unqualified columns count as the table's.
 */
export function conditionColumns(expr: string | undefined, alias?: string): ConditionColumns {
  const out: ConditionColumns = { equality: [], range: [], expressions: [] };
  const where = expr ? parseCondition(expr) : undefined;
  if (!where) return out;
  const columnOf = (node: AnyNode | undefined): string | undefined => {
    // Plans cast freely ((o.status)::text = …): look through casts.
    while (node?.TypeCast) node = node.TypeCast.arg;
    const fields: AnyNode[] | undefined = node?.ColumnRef?.fields;
    if (!fields) return undefined;
    const names = fields.map((f) => f.String?.sval).filter((s): s is string => typeof s === 'string');
    if (names.length !== fields.length) return undefined;
    if (names.length === 1) return names[0];
    if (alias !== undefined && names[names.length - 2] !== alias) return undefined;
    return names[names.length - 1];
  };
  const add = (list: string[], column: string | undefined) => {
    if (column && !out.equality.includes(column) && !out.range.includes(column)) list.push(column);
  };
  const visit = (node: AnyNode | undefined): void => {
    if (!node) return;
    if (node.BoolExpr?.boolop === 'AND_EXPR') return node.BoolExpr.args.forEach(visit);
    const a = node.A_Expr;
    if (a) {
      const op = a.name?.[0]?.String?.sval;
      const left = columnOf(a.lexpr);
      const right = columnOf(a.rexpr);
      const column = left ?? right;
      if (!column && a.kind === 'AEXPR_OP' && op === '=') {
        const expression = functionOfColumn(a.lexpr) ?? functionOfColumn(a.rexpr);
        if (expression && !out.expressions.includes(expression)) out.expressions.push(expression);
        return;
      }
      if (!column || (left && right && alias === undefined)) return;
      if ((a.kind === 'AEXPR_OP' && op === '=') || a.kind === 'AEXPR_IN') add(out.equality, column);
      else if (a.kind === 'AEXPR_OP_ANY' && op === '=') add(out.equality, column);
      else if (a.kind === 'AEXPR_BETWEEN' || RANGE_OPS.has(op)) add(out.range, column);
      return;
    }
    if (node.NullTest) add(out.equality, columnOf(node.NullTest.arg));
    if (node.BooleanTest) add(out.equality, columnOf(node.BooleanTest.arg));
  };
  /** `f(col)` with one column argument (through casts), as SQL: the key of an expression index. */
  const functionOfColumn = (node: AnyNode | undefined): string | undefined => {
    while (node?.TypeCast) node = node.TypeCast.arg;
    const call = node?.FuncCall;
    if (!call || call.args?.length !== 1 || call.agg_star || call.over) return undefined;
    const column = columnOf(call.args[0]);
    const name: string[] = (call.funcname ?? []).map((n: AnyNode) => n.String?.sval).filter(Boolean);
    if (!column || name.length === 0) return undefined;
    const fn = name.filter((part, i) => !(i === 0 && part === 'pg_catalog' && name.length > 1)).map(quoteIdent).join('.');
    return `${fn}(${quoteIdent(column)})`;
  };
  visit(where);
  // A column used both ways is best as an equality key.
  out.range = out.range.filter((c) => !out.equality.includes(c));
  return out;
}

/** The expression without `alias.` qualifiers (token-exact, via the scanner). */
export function unqualify(expr: string, alias: string | undefined): string {
  if (!alias) return expr;
  let tokens;
  try {
    tokens = scanSync(expr).tokens;
  } catch {
    return expr;
  }
  const bytes = Buffer.from(expr);
  const cut: Array<[number, number]> = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    const name = t.text.startsWith('"') ? t.text.slice(1, -1).replace(/""/g, '"') : t.text.toLowerCase();
    if (name === alias && tokens[i + 1].text === '.' && (i === 0 || tokens[i - 1].text !== '.')) cut.push([t.start, tokens[i + 1].end]);
  }
  let result = '';
  let at = 0;
  for (const [start, end] of cut) {
    result += bytes.subarray(at, start).toString();
    at = end;
  }
  return result + bytes.subarray(at).toString();
}

/** Whether the whole condition is one `column = constant` test (a candidate for a partial index). */
export function isSingleConstantEquality(expr: string | undefined): boolean {
  const where = expr ? parseCondition(expr) : undefined;
  const a = where?.A_Expr;
  if (!a || a.kind !== 'AEXPR_OP' || a.name?.[0]?.String?.sval !== '=') return false;
  const constant = (n: AnyNode | undefined): boolean => {
    while (n?.TypeCast) n = n.TypeCast.arg;
    return Boolean(n?.A_Const);
  };
  const column = (n: AnyNode | undefined): boolean => {
    while (n?.TypeCast) n = n.TypeCast.arg;
    return Boolean(n?.ColumnRef);
  };
  return (column(a.lexpr) && constant(a.rexpr)) || (constant(a.lexpr) && column(a.rexpr));
}
