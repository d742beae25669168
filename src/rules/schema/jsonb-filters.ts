// Where a query filters on a jsonb column, read from its parse tree (libpg-query): key lookups
// (`payload ->> 'type' = $1`, `payload -> 'a' ->> 'b'`, `(payload ->> 'n')::int > 5`) and the
// operators a GIN index serves (`payload @> $1`, `payload ? 'k'`, jsonpath `@?` / `@@`). Columns are
// resolved through the statement's FROM list (aliases, joins, subqueries in WHERE) to catalog tables.
import { parseSync } from '../../sql/pg-parser.js';
import type { Catalog, Index, Table } from '../../catalog/types.js';
import type { AnyNode } from '../types.js';

/** One step of a key lookup: `->> 'type'`; key undefined when it is a parameter ($1: pg_stat_statements normalizes constants away). */
export interface PathStep {
  op: '->' | '->>' | '#>' | '#>>';
  key?: string;
}

export type JsonbAccess =
  | { kind: 'path'; steps: PathStep[]; /** A cast around the lookup, e.g. `int4` for (payload ->> 'n')::int. */ cast?: string }
  | { kind: 'gin'; op: string };

export interface JsonbFilter {
  table: Table;
  column: string;
  access: JsonbAccess;
}

const PATH_OPS = new Set(['->', '->>', '#>', '#>>']);
/** Operators of the default GIN opclass jsonb_ops; jsonb_path_ops serves only the containment and jsonpath ones. */
const GIN_OPS = new Set(['@>', '?', '?|', '?&', '@?', '@@']);
export const PATH_OPS_GIN = new Set(['@>', '@?', '@@']);

const opName = (expr: AnyNode): string | undefined =>
  expr.kind === 'AEXPR_OP' && expr.name?.length === 1 ? (expr.name[0].String?.sval as string | undefined) : undefined;

/** A constant key or path, through casts ('type'::text); undefined for a parameter or an expression. */
function constantKey(node: AnyNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return constantKey(node.TypeCast.arg);
  const c = node.A_Const;
  if (!c) return undefined;
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  return undefined;
}

interface Chain {
  column: string[];
  steps: PathStep[];
}

/** `col -> 'a' ->> 'b'` as the column reference and its steps, or undefined when the base is not a column. */
export function chainOf(node: AnyNode | undefined): Chain | undefined {
  const expr = node?.A_Expr;
  const op = expr && opName(expr);
  if (!expr || !op || !PATH_OPS.has(op)) return undefined;
  const step: PathStep = { op: op as PathStep['op'], key: constantKey(expr.rexpr) };
  const fields = columnFields(expr.lexpr);
  if (fields) return { column: fields, steps: [step] };
  const inner = chainOf(expr.lexpr);
  return inner ? { column: inner.column, steps: [...inner.steps, step] } : undefined;
}

function columnFields(node: AnyNode | undefined): string[] | undefined {
  const fields = node?.ColumnRef?.fields as AnyNode[] | undefined;
  if (!fields || fields.some((f) => !f.String)) return undefined;
  return fields.map((f) => f.String.sval as string);
}

/** The last name of a type (pg_catalog.int4 → int4): how the parser and pg_get_indexdef agree on a cast. */
function castName(typeName: AnyNode | undefined): string | undefined {
  const names = (typeName?.names ?? []) as AnyNode[];
  const last = names[names.length - 1]?.String?.sval as string | undefined;
  return last && (typeName?.arrayBounds?.length ? `${last}[]` : last);
}

/** Canonical text of an access, for grouping and for matching index expressions. */
export function accessKey(access: JsonbAccess): string {
  if (access.kind === 'gin') return `gin ${access.op}`;
  const path = access.steps.map((s) => `${s.op}${s.key === undefined ? '?' : JSON.stringify(s.key)}`).join('');
  return access.cast ? `(${path})::${access.cast}` : path;
}

interface Scope {
  /** Alias or table name → table. */
  tables: Map<string, Table>;
  parent?: Scope;
}

export interface Resolver {
  /** A table by the name a query uses (schema optional). */
  table(schema: string | undefined, name: string): Table | undefined;
}

/**
 * Resolve unqualified names the way a session with the given schemas first in search_path would,
 * then fall back to a table name that is unique in the catalog (pg_stat_statements does not say
 * which search_path a query ran with).
 */
export function catalogResolver(catalog: Catalog, searchPath: string[]): Resolver {
  return {
    table(schema, name) {
      if (schema) return catalog.tables.find((t) => t.schema === schema && t.name === name);
      for (const s of searchPath) {
        const t = catalog.tables.find((x) => x.schema === s && x.name === name);
        if (t) return t;
      }
      const all = catalog.tables.filter((t) => t.name === name);
      return all.length === 1 ? all[0] : undefined;
    },
  };
}

/** Every jsonb filter of one SQL text; none when it does not parse (a truncated or non-SQL text). */
export function jsonbFilters(sql: string, resolver: Resolver): JsonbFilter[] {
  let stmts: AnyNode[];
  try {
    stmts = (parseSync(sql).stmts ?? []).map((s) => s.stmt as AnyNode);
  } catch {
    return [];
  }
  const out: JsonbFilter[] = [];
  for (const stmt of stmts) walk(stmt, undefined, false, resolver, out);
  return out;
}

function addRangeVars(node: AnyNode | undefined, scope: Scope, resolver: Resolver): void {
  if (!node) return;
  if (Array.isArray(node)) {
    for (const n of node) addRangeVars(n, scope, resolver);
    return;
  }
  if (node.RangeVar) {
    const rv = node.RangeVar;
    const table = resolver.table(rv.schemaname, rv.relname);
    if (table) scope.tables.set(rv.alias?.aliasname ?? rv.relname, table);
  } else if (node.JoinExpr) {
    addRangeVars(node.JoinExpr.larg, scope, resolver);
    addRangeVars(node.JoinExpr.rarg, scope, resolver);
  }
}

/** The jsonb column a reference names, looked up from the innermost scope outwards. */
function resolveColumn(fields: string[], scope: Scope | undefined): { table: Table; column: string } | undefined {
  const column = fields[fields.length - 1];
  const isJsonb = (t: Table) => t.columns.some((c) => c.name === column && c.typeName === 'jsonb' && !c.isArray);
  for (let s = scope; s; s = s.parent) {
    if (fields.length >= 2) {
      const qualifier = fields[fields.length - 2];
      const table = s.tables.get(qualifier) ?? [...s.tables.values()].find((t) => t.name === qualifier && (fields.length === 2 || t.schema === fields[0]));
      if (table) return isJsonb(table) ? { table, column } : undefined;
    } else {
      const matches = [...new Set(s.tables.values())].filter((t) => t.columns.some((c) => c.name === column));
      if (matches.length === 1) return isJsonb(matches[0]) ? { table: matches[0], column } : undefined;
      if (matches.length > 1) return undefined; // ambiguous: PostgreSQL would have refused it
    }
  }
  return undefined;
}

const FILTER_KEYS = new Set(['whereClause', 'havingClause', 'quals']);
const COMPARISONS = new Set(['=', '<', '>', '<=', '>=']);
const COMPARISON_KINDS = new Set(['AEXPR_IN', 'AEXPR_BETWEEN', 'AEXPR_NOT_DISTINCT']);

/** A lookup (or a cast of one) as a comparison operand: recorded, true; anything else: false. */
function recordOperand(node: AnyNode | undefined, scope: Scope | undefined, out: JsonbFilter[]): boolean {
  const cast = node?.TypeCast;
  const chain = chainOf(cast ? cast.arg : node);
  const target = chain && resolveColumn(chain.column, scope);
  if (!chain || !target) return false;
  out.push({ ...target, access: { kind: 'path', steps: chain.steps, cast: cast ? castName(cast.typeName) : undefined } });
  return true;
}

function walk(node: unknown, scope: Scope | undefined, inFilter: boolean, resolver: Resolver, out: JsonbFilter[]): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, scope, inFilter, resolver, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as AnyNode;

  // A statement opens a scope: its FROM list (UPDATE/DELETE: the target and FROM/USING).
  const stmt = n.SelectStmt ?? n.UpdateStmt ?? n.DeleteStmt;
  if (stmt) {
    const inner: Scope = { tables: new Map(), parent: scope };
    addRangeVars(stmt.relation ? { RangeVar: stmt.relation } : undefined, inner, resolver);
    addRangeVars(stmt.fromClause, inner, resolver);
    addRangeVars(stmt.usingClause, inner, resolver);
    for (const [key, value] of Object.entries(stmt)) walk(value, inner, FILTER_KEYS.has(key), resolver, out);
    return;
  }

  if (inFilter && n.A_Expr) {
    const e = n.A_Expr as AnyNode;
    const op = opName(e);
    // A lookup is indexable as an operand of a comparison; inside a function (lower(payload ->> 'email'))
    // only an index on that whole expression would serve, so it is not reported as a plain lookup.
    if ((e.kind === 'AEXPR_OP' && op && COMPARISONS.has(op)) || COMPARISON_KINDS.has(e.kind)) {
      for (const side of [e.lexpr, e.rexpr]) if (!recordOperand(side, scope, out)) walk(side, scope, inFilter, resolver, out);
      return;
    }
    if (op && (GIN_OPS.has(op) || op === '<@')) {
      // `col @> x`, or `x <@ col` written the other way round.
      const [columnSide, other] = op === '<@' ? [e.rexpr, e.lexpr] : [e.lexpr, e.rexpr];
      const fields = columnFields(columnSide);
      const column = fields && resolveColumn(fields, scope);
      if (column) out.push({ ...column, access: { kind: 'gin', op: op === '<@' ? '@>' : op } });
      walk(other, scope, inFilter, resolver, out);
      return;
    }
  }
  if (inFilter && n.NullTest) {
    if (!recordOperand(n.NullTest.arg, scope, out)) walk(n.NullTest.arg, scope, inFilter, resolver, out);
    return;
  }
  for (const [key, value] of Object.entries(n)) walk(value, scope, inFilter || FILTER_KEYS.has(key), resolver, out);
}

/** The key expressions of an index as accesses on its table's jsonb columns (expression indexes). */
export type IndexAccess = { index: Index; column: string; access: JsonbAccess } | { index: Index; column: string; gin: true; pathOps: boolean };

export function indexAccesses(index: Index, indexAst: AnyNode | undefined): IndexAccess[] {
  const out: IndexAccess[] = [];
  const first = (indexAst?.indexParams ?? [])[0]?.IndexElem as AnyNode | undefined;
  if (!first) return out;
  if (first.name && index.method === 'gin') {
    const opclass = ((first.opclass ?? []) as AnyNode[]).map((o) => o.String?.sval).pop();
    out.push({ index, column: first.name, gin: true, pathOps: opclass === 'jsonb_path_ops' });
  }
  // Only the first key column lets the planner use the index for a filter on it alone.
  const expr = first.expr as AnyNode | undefined;
  const cast = expr?.TypeCast;
  const chain = chainOf(cast ? cast.arg : expr);
  if (chain) out.push({ index, column: chain.column[chain.column.length - 1], access: { kind: 'path', steps: chain.steps, cast: cast ? castName(cast.typeName) : undefined } });
  return out;
}
