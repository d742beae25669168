import type { Index, Table } from '../../catalog/types.js';
import { nameParts, quoteQualified } from '../../sql/quote.js';
import type { Finding, Fix } from '../../types.js';
import { finding, type AnyNode, type QueryRule, type QueryRuleContext } from '../types.js';
import { analyze, columnRefs, contains, firstLocation, functionName, operatorName, qualifiedName, resolveColumn } from './scope.js';
import { bareExpression, CONCURRENTLY_NOTE, newIndexName } from './util.js';
import { sameExpression } from './expressions.js';

const COMPARISONS = new Set(['=', '<', '<=', '>', '>=']);
/** Casts to these leave a character column's index usable (varchar → text is a relabel) or are too ambiguous to judge without a catalog. */
const TEXT_CASTS = new Set(['text', 'varchar', 'bpchar', 'name']);

export const nonSargablePredicate: QueryRule = {
  id: 'non-sargable-predicate',
  area: 'query',
  severity: 'warning',
  summary:
    'A function or cast applied to an indexed column in WHERE (lower(email) = …, date(placed_at) = …) hides the column from its index: PostgreSQL can use an index only for conditions on exactly what it indexes.',
  catalogUse:
    'With a catalog: reported (warning; info on a table known to be small) only when an index leads with the bare column and no index exists on the expression itself; the fix is that expression index, tried on the scratch catalog first (index expressions must be IMMUTABLE). Without a catalog: a function (or non-text cast) on a column compared with a constant or parameter is reported as info, since pgarch cannot know whether the column is indexed.',
  async check(ctx) {
    const out: Finding[] = [];
    for (const at of analyze(ctx.stmt.node).nodes) {
      if (at.type !== 'A_Expr' || at.clause !== 'whereClause' || !at.block) continue;
      for (const wrapped of wrappedSides(at.node)) {
        const refs = columnRefs(wrapped);
        if (refs.length !== 1 || contains(wrapped, ['SubLink']) || hasAggregate(wrapped)) continue;
        const resolved = resolveColumn(ctx, refs[0], at.block);
        const exprText = ctx.sql.source(wrapped);
        if (!exprText) continue;
        if (ctx.catalog) {
          if (resolved.kind !== 'table') continue;
          const { table, column } = resolved;
          const cast = wrapped.TypeCast;
          if (cast?.arg?.ColumnRef && isNoOpCast(column.typeName, castType(cast))) continue;
          const plain = table.indexes.filter((i) => i.valid && i.columns[0] === column.name);
          if (plain.length === 0) continue;
          if (table.indexes.some((i) => i.valid && matchesExpression(ctx, i, wrapped))) continue;
          out.push(
            finding(this, {
              severity: ctx.sized(table, this.severity),
              message: `${exprText} hides ${qualifiedName(table)}.${column.name} from index ${plain[0].name}: an index on ${column.name} serves only conditions on ${column.name} itself`,
              object: qualifiedName(table),
              location: ctx.locate(firstLocation(wrapped)),
              hint: hintFor(wrapped, column.name),
              fix: await expressionIndexFix(ctx, wrapped, table, column.name),
            }),
          );
        } else {
          if (resolved.kind === 'derived') continue;
          const cast = wrapped.TypeCast;
          if (cast && TEXT_CASTS.has(castType(cast))) continue;
          const column = resolved.kind === 'named' ? resolved.column : (columnNamesOf(refs[0]).pop() ?? 'the column');
          out.push(
            finding(this, {
              severity: 'info',
              message: `${exprText} in WHERE: an index on ${column} cannot serve this condition (no catalog to check whether ${column} is indexed)`,
              location: ctx.locate(firstLocation(wrapped)),
              hint: `${hintFor(wrapped, column)} Give --schema or --database so pgarch can check the indexes.`,
            }),
          );
        }
      }
    }
    return out;
  },
};

/** The sides of a comparison that wrap a column in a function or cast, when the other side has no column. */
function wrappedSides(expr: AnyNode): AnyNode[] {
  const isWrapper = (n: AnyNode | undefined) => Boolean(n && ((n.FuncCall && !n.FuncCall.agg_star && !n.FuncCall.over) || n.TypeCast));
  const columnFree = (n: unknown) => n !== undefined && !contains(n, ['ColumnRef']);
  const out: AnyNode[] = [];
  if (expr.kind === 'AEXPR_OP' && COMPARISONS.has(operatorName(expr) ?? '')) {
    if (isWrapper(expr.lexpr) && columnFree(expr.rexpr)) out.push(expr.lexpr);
    if (isWrapper(expr.rexpr) && columnFree(expr.lexpr)) out.push(expr.rexpr);
  } else if (['AEXPR_IN', 'AEXPR_BETWEEN', 'AEXPR_OP_ANY'].includes(expr.kind) && (expr.kind !== 'AEXPR_IN' || operatorName(expr) === '=')) {
    if (isWrapper(expr.lexpr) && columnFree(expr.rexpr)) out.push(expr.lexpr);
  }
  return out;
}

function hasAggregate(expr: AnyNode): boolean {
  let found = false;
  const visit = (n: unknown) => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const call = (n as AnyNode).FuncCall;
    if (call && (call.agg_star || call.over || call.agg_filter || ['count', 'sum', 'min', 'max', 'avg'].includes(functionName(call)))) found = true;
    for (const v of Object.values(n as AnyNode)) visit(v);
  };
  visit(expr);
  return found;
}

function castType(cast: AnyNode): string {
  const names = nameParts(cast.typeName?.names);
  return (names[names.length - 1] ?? '').toLowerCase();
}

/** A cast PostgreSQL drops or relabels, so the column's index still applies. */
function isNoOpCast(columnType: string, target: string): boolean {
  return columnType === target || (columnType === 'varchar' && (target === 'text' || target === 'varchar'));
}

function columnNamesOf(ref: AnyNode): string[] {
  return nameParts(ref.fields);
}

function matchesExpression(ctx: QueryRuleContext, index: Index, wrapped: AnyNode): boolean {
  const first = ctx.indexKeys(index)[0];
  return Boolean(first?.expression && sameExpression(first.expression, wrapped));
}

function hintFor(wrapped: AnyNode, column: string): string {
  const call = wrapped.FuncCall ? functionName(wrapped.FuncCall) : undefined;
  const toDate = call === 'date' || call === 'date_trunc' || (wrapped.TypeCast && castType(wrapped.TypeCast) === 'date');
  if (toDate) return `Compare the bare column with a half-open range (${column} >= day AND ${column} < day + 1), which its index serves; or index the expression.`;
  if (call === 'lower' || call === 'upper') return `Store ${column} normalized (or as citext) and compare it directly, or index the expression.`;
  return `Compare the bare column (move the function to the other side), or index the expression.`;
}

/** CREATE INDEX CONCURRENTLY on the expression, with column qualifiers dropped; only when PostgreSQL accepts it. */
async function expressionIndexFix(ctx: QueryRuleContext, wrapped: AnyNode, table: Table, column: string): Promise<Fix | undefined> {
  if (contains(wrapped, ['ParamRef'])) return undefined;
  const expression = bareExpression(ctx, wrapped);
  if (!expression) return undefined;
  const accepted = await ctx.acceptsIndex(table, expression);
  if (accepted === false) return undefined;
  const parts = wrapped.FuncCall ? [functionName(wrapped.FuncCall), column] : [column, castType(wrapped.TypeCast)];
  const name = newIndexName(ctx, table, table.name, parts);
  const key = wrapped.FuncCall ? expression : `(${expression})`;
  return {
    description: `An index on the expression itself, built without blocking writes${accepted === undefined ? ' (not tried on a live database: PostgreSQL accepts only IMMUTABLE expressions in an index)' : ''}`,
    sql: `${CONCURRENTLY_NOTE}\nCREATE INDEX CONCURRENTLY ${name} ON ${quoteQualified(table.schema, table.name)} (${key});`,
  };
}
