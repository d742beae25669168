import type { Table } from '../../catalog/types.js';
import { nameParts, quoteIdent, quoteQualified } from '../../sql/quote.js';
import type { Finding, Fix } from '../../types.js';
import { finding, type AnyNode, type QueryRule, type QueryRuleContext } from '../types.js';
import { sameExpression } from './expressions.js';
import { analyze, columnRefs, firstLocation, functionName, operatorName, qualifiedName, resolveColumn, stringConstant, type Resolved } from './scope.js';
import { bareExpression, CONCURRENTLY_NOTE, newIndexName, TEXT_TYPES } from './util.js';

const LIKE_OPERATORS = new Set(['~~', '~~*']);
const TRIGRAM_OPCLASSES = new Set(['gin_trgm_ops', 'gist_trgm_ops']);

export const leadingWildcardLike: QueryRule = {
  id: 'leading-wildcard-like',
  area: 'query',
  severity: 'warning',
  summary:
    "LIKE / ILIKE with a pattern that starts with a wildcard ('%mug%') cannot use a btree index: every row is read and matched, unless a trigram (pg_trgm) index covers the column.",
  catalogUse:
    "Without a catalog: every LIKE/ILIKE whose constant pattern starts with % or _ (also `'%' || $1`) is reported. With a catalog: silent when a GIN or GiST index with gin_trgm_ops/gist_trgm_ops covers the column (or the same expression), and info on a table known to be small. The fix installs pg_trgm and builds the trigram index concurrently.",
  check(ctx) {
    const out: Finding[] = [];
    for (const at of analyze(ctx.stmt.node).nodes) {
      if (at.type !== 'A_Expr' || !at.block || !['whereClause', 'quals', 'havingClause'].includes(at.clause ?? '')) continue;
      const expr = at.node;
      const op = operatorName(expr);
      if (!op || !LIKE_OPERATORS.has(op)) continue;
      const pattern = leadingPattern(expr.rexpr);
      if (pattern === undefined) continue;
      const subject = expr.lexpr as AnyNode;
      const refs = columnRefs(subject);
      if (refs.length !== 1) continue;
      const resolved = resolveColumn(ctx, refs[0], at.block);
      if (resolved.kind === 'derived') continue;
      let table: Table | undefined;
      if (resolved.kind === 'table') {
        table = resolved.table;
        if (table.indexes.some((i) => i.valid && coversTrigram(ctx, i, subject))) continue;
      }
      // Otherwise (no catalog, or a relation it does not know): judged from the SQL alone.
      const subjectText = ctx.sql.source(subject) ?? 'column';
      const like = op === '~~*' ? 'ILIKE' : 'LIKE';
      out.push(
        finding(this, {
          severity: table ? ctx.sized(table, this.severity) : this.severity,
          message: `${subjectText} ${like} ${shorten(patternText(ctx, expr.rexpr) ?? `'${pattern}'`)} starts with a wildcard: no btree index can serve it, so every row${table ? ` of ${qualifiedName(table)}` : ''} is read and matched`,
          object: table ? qualifiedName(table) : undefined,
          location: ctx.locate(firstLocation(subject)),
          hint: `Index ${subjectText} with pg_trgm (a GIN index with gin_trgm_ops serves LIKE and ILIKE with any wildcards), or use full-text search for word matches.`,
          fix: trigramFix(ctx, subject, resolved, table),
        }),
      );
    }
    return out;
  },
};

/** The start of a pattern that begins with a wildcard (`%`, `_`), from a constant, `'%' || …` or like_escape(…); else undefined. */
function leadingPattern(node: AnyNode | undefined): string | undefined {
  if (!node) return undefined;
  const constant = stringConstant(node);
  if (constant !== undefined) return /^[%_]/.test(constant) ? constant : undefined;
  if (node.TypeCast) return leadingPattern(node.TypeCast.arg);
  if (node.A_Expr?.kind === 'AEXPR_OP' && operatorName(node.A_Expr) === '||') return leadingPattern(node.A_Expr.lexpr);
  const call = node.FuncCall;
  if (call && (functionName(call) === 'like_escape' || functionName(call) === 'concat')) return leadingPattern(call.args?.[0]);
  return undefined;
}

/** A valid trigram index whose first key is the subject (the bare column, or the same expression). */
function coversTrigram(ctx: QueryRuleContext, index: { method: string }, subject: AnyNode): boolean {
  if (index.method !== 'gin' && index.method !== 'gist') return false;
  const keys = ctx.indexKeys(index as never);
  return keys.some((k) => {
    if (!k.opclass || !TRIGRAM_OPCLASSES.has(k.opclass)) return false;
    if (subject.ColumnRef) {
      const names = nameParts(subject.ColumnRef.fields);
      return k.column === names[names.length - 1];
    }
    return k.expression !== undefined && sameExpression(k.expression, subject);
  });
}

/** CREATE EXTENSION pg_trgm + a concurrent GIN trigram index on the column (or expression). */
function trigramFix(ctx: QueryRuleContext, subject: AnyNode, resolved: Resolved, table: Table | undefined): Fix | undefined {
  if (resolved.kind !== 'table' && resolved.kind !== 'named') return undefined;
  if (resolved.kind === 'table' && subject.ColumnRef && !TEXT_TYPES.has(resolved.column.typeName)) return undefined;
  const rv = resolved.item.rangeVar;
  if (!rv) return undefined;
  const column = resolved.kind === 'table' ? resolved.column.name : resolved.column;
  let key: string;
  if (subject.ColumnRef) key = quoteIdent(column);
  else {
    const text = bareExpression(ctx, subject);
    if (!text) return undefined;
    key = `(${text})`;
  }
  const relation = table ? quoteQualified(table.schema, table.name) : rv.schemaname ? quoteQualified(rv.schemaname, rv.relname) : quoteIdent(rv.relname);
  const name = newIndexName(ctx, table, table?.name ?? rv.relname, [subject.ColumnRef ? column : `${functionName(subject.FuncCall ?? {}) || 'expr'}_${column}`], 'trgm_idx');
  const installed = ctx.catalog?.extensions.find((e) => e.name === 'pg_trgm');
  const opclass = installed && installed.schema !== 'public' && installed.schema !== 'pg_catalog' ? `${quoteIdent(installed.schema)}.gin_trgm_ops` : 'gin_trgm_ops';
  return {
    description: 'A trigram index (pg_trgm, trusted since PG 13) serves LIKE/ILIKE with wildcards anywhere; built without blocking writes',
    sql: `CREATE EXTENSION IF NOT EXISTS pg_trgm;\n${CONCURRENTLY_NOTE}\nCREATE INDEX CONCURRENTLY ${name} ON ${relation} USING gin (${key} ${opclass});`,
  };
}

/** The pattern as written (for `LIKE p ESCAPE e` the parser wraps it in like_escape(), located at LIKE). */
function patternText(ctx: QueryRuleContext, node: AnyNode): string | undefined {
  const call = node.FuncCall;
  if (call && functionName(call) === 'like_escape' && call.args?.length === 2) {
    const [p, e] = call.args.map((a: AnyNode) => ctx.sql.source(a));
    return p && e ? `${p} ESCAPE ${e}` : undefined;
  }
  return ctx.sql.source(node);
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
