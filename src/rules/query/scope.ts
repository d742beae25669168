// The structure query rules share: every query block of a statement (SELECT, UPDATE, DELETE, INSERT,
// including sub-selects and CTEs) with the relations in scope, every node with the block and clause it
// belongs to, and column references resolved to a relation (and, with a catalog, to a table column).
import type { Column, Table } from '../../catalog/types.js';
import { nameParts } from '../../sql/quote.js';
import type { AnyNode, QueryRuleContext } from '../types.js';

export type BlockKind = 'select' | 'update' | 'delete' | 'insert';

export interface FromItem {
  kind: 'table' | 'cte' | 'subquery' | 'function' | 'other';
  /** The name its columns are qualified with: the alias, else the relation's name. */
  name?: string;
  /** For tables and CTE references: the RangeVar. */
  rangeVar?: AnyNode;
  node: AnyNode;
  /** Parse-tree location of the item (its first token). */
  location?: number;
  /** Column names known from the SQL alone (a sub-select's output names or an alias column list). */
  columns?: string[];
}

export interface QueryBlock {
  kind: BlockKind;
  /** The SelectStmt / UpdateStmt / DeleteStmt / InsertStmt object. */
  node: AnyNode;
  parent?: QueryBlock;
  /** The statement's own query: its outermost SELECT (each arm of a set operation), or INSERT … SELECT's. */
  top: boolean;
  /** A set operation (UNION …) whose arms are blocks of their own. */
  setOperation: boolean;
  /** Relations in scope at this level: UPDATE/DELETE target first, then FROM items flattened through joins. */
  items: FromItem[];
  /** The comma-separated FROM entries, each with the items of its join tree. */
  entries: FromItem[][];
  ctes: Set<string>;
}

export interface NodeAt {
  /** Node type, e.g. `A_Expr`. */
  type: string;
  node: AnyNode;
  /** Query block the node belongs to (undefined for utility statements' own nodes). */
  block?: QueryBlock;
  /** The block's field the node sits under: `whereClause`, `targetList`, `quals` (JOIN … ON), `havingClause`, … */
  clause?: string;
  /** The nearest enclosing node of interest's chain: parent node (wrapper type and object). */
  parent?: NodeAt;
}

export interface Analysis {
  blocks: QueryBlock[];
  nodes: NodeAt[];
}

const BLOCK_TYPES: Record<string, BlockKind> = { SelectStmt: 'select', UpdateStmt: 'update', DeleteStmt: 'delete', InsertStmt: 'insert' };
/** Fields of a block handled by the scope builder itself, not walked as expressions. */
const SCOPE_FIELDS = new Set(['fromClause', 'usingClause', 'relation', 'withClause', 'larg', 'rarg', 'selectStmt']);

const cache = new WeakMap<object, Analysis>();

/** Every query block and node of a statement (cached per parse tree). */
export function analyze(statementNode: AnyNode): Analysis {
  const hit = cache.get(statementNode);
  if (hit) return hit;
  const analysis: Analysis = { blocks: [], nodes: [] };

  const isWrapper = (value: AnyNode): string | undefined => {
    const keys = Object.keys(value);
    return keys.length === 1 && /^[A-Z]/.test(keys[0]) && value[keys[0]] && typeof value[keys[0]] === 'object' ? keys[0] : undefined;
  };

  const walk = (value: unknown, block: QueryBlock | undefined, clause: string | undefined, parent: NodeAt | undefined, ctes: Set<string>, top: boolean): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, block, clause, parent, ctes, top);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const type = isWrapper(value as AnyNode);
    if (!type) {
      for (const v of Object.values(value as AnyNode)) if (typeof v === 'object') walk(v, block, clause, parent, ctes, top);
      return;
    }
    const inner = (value as AnyNode)[type] as AnyNode;
    if (BLOCK_TYPES[type]) {
      const at: NodeAt = { type, node: inner, block, clause, parent };
      analysis.nodes.push(at);
      buildBlock(BLOCK_TYPES[type], inner, block, at, ctes, top);
      return;
    }
    const at: NodeAt = { type, node: inner, block, clause, parent };
    analysis.nodes.push(at);
    // Utility statements wrapping a query (EXPLAIN, PREPARE, CREATE VIEW … AS, DECLARE CURSOR): their query is the statement's own.
    const wraps = block === undefined;
    for (const v of Object.values(inner)) if (typeof v === 'object') walk(v, block, clause, at, ctes, wraps && top);
  };

  const buildBlock = (kind: BlockKind, node: AnyNode, parent: QueryBlock | undefined, at: NodeAt, outerCtes: Set<string>, top: boolean): void => {
    const ctes = new Set(outerCtes);
    for (const c of node.withClause?.ctes ?? []) if (c.CommonTableExpr?.ctename) ctes.add(c.CommonTableExpr.ctename);
    const setOperation = kind === 'select' && Boolean(node.op) && node.op !== 'SETOP_NONE';
    const block: QueryBlock = { kind, node, parent, top, setOperation, items: [], entries: [], ctes };
    analysis.blocks.push(block);

    // CTE queries see the CTE names (recursive ones see their own), not this block's relations.
    for (const c of node.withClause?.ctes ?? []) walk(c.CommonTableExpr?.ctequery, parent, 'withClause', at, ctes, false);
    if (setOperation) {
      buildBlock('select', node.larg, parent, at, ctes, top);
      buildBlock('select', node.rarg, parent, at, ctes, top);
    }
    if (node.relation && kind !== 'select') {
      const target = tableItem(node.relation, ctes);
      block.items.push(target);
      block.entries.push([target]);
    }
    for (const entry of [...(node.fromClause ?? []), ...(node.usingClause ?? [])]) {
      const items: FromItem[] = [];
      fromEntry(entry, block, at, ctes, items);
      block.items.push(...items);
      block.entries.push(items);
    }
    if (node.selectStmt) walk(node.selectStmt, block, 'selectStmt', at, ctes, top);
    for (const [field, value] of Object.entries(node)) {
      if (SCOPE_FIELDS.has(field) || typeof value !== 'object') continue;
      walk(value, block, field, at, ctes, false);
    }
  };

  const fromEntry = (entry: AnyNode, block: QueryBlock, at: NodeAt, ctes: Set<string>, items: FromItem[]): void => {
    if (entry.RangeVar) items.push(tableItem(entry.RangeVar, ctes));
    else if (entry.JoinExpr) {
      const j = entry.JoinExpr;
      fromEntry(j.larg, block, at, ctes, items);
      fromEntry(j.rarg, block, at, ctes, items);
      if (j.quals) walk(j.quals, block, 'quals', at, ctes, false);
    } else if (entry.RangeSubselect) {
      const r = entry.RangeSubselect;
      const sub = r.subquery?.SelectStmt;
      items.push({ kind: 'subquery', name: r.alias?.aliasname, node: r, location: firstLocation(r), columns: aliasColumns(r.alias) ?? outputNames(sub) });
      walk(r.subquery, block, 'fromClause', at, ctes, false);
    } else if (entry.RangeFunction) {
      const r = entry.RangeFunction;
      items.push({ kind: 'function', name: r.alias?.aliasname, node: r, location: firstLocation(r), columns: aliasColumns(r.alias) });
      walk(r.functions, block, 'fromClause', at, ctes, false);
    } else {
      const type = Object.keys(entry)[0];
      items.push({ kind: 'other', node: entry[type], location: firstLocation(entry) });
      walk(entry, block, 'fromClause', at, ctes, false);
    }
  };

  walk(statementNode, undefined, undefined, undefined, new Set(), true);
  cache.set(statementNode, analysis);
  return analysis;
}

function tableItem(rv: AnyNode, ctes: Set<string>): FromItem {
  const isCte = !rv.schemaname && ctes.has(rv.relname);
  return { kind: isCte ? 'cte' : 'table', name: rv.alias?.aliasname ?? rv.relname, rangeVar: rv, node: rv, location: rv.location, columns: aliasColumns(rv.alias) };
}

function aliasColumns(alias: AnyNode | undefined): string[] | undefined {
  const names = nameParts(alias?.colnames);
  return names.length ? names : undefined;
}

/** Output column names of a simple SELECT (for sub-selects in FROM), undefined when a star or expression hides them. */
function outputNames(select: AnyNode | undefined): string[] | undefined {
  if (!select?.targetList) return undefined;
  const names: string[] = [];
  for (const t of select.targetList) {
    const r = t.ResTarget;
    if (r?.name) names.push(r.name);
    else {
      const fields = r?.val?.ColumnRef?.fields;
      const last = fields?.[fields.length - 1]?.String?.sval;
      if (!last) return undefined;
      names.push(last);
    }
  }
  return names;
}

/** The smallest parse-tree location at or below a node (its first token). */
export function firstLocation(node: unknown): number | undefined {
  let min: number | undefined;
  const visit = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    for (const [k, v] of Object.entries(n as AnyNode)) {
      if (k === 'location' && typeof v === 'number' && v >= 0) min = min === undefined ? v : Math.min(min, v);
      else visit(v);
    }
  };
  visit(node);
  return min;
}

// ---------- column references ----------

/** What resolving names needs of a rule's context: the catalog's table lookup. */
export type TableLookup = Pick<QueryRuleContext, 'table'>;

export type Resolved =
  /** A column of a table the catalog knows. */
  | { kind: 'table'; item: FromItem; table: Table; column: Column }
  /** A relation's column where the catalog cannot say more (no catalog, or a table it does not know). */
  | { kind: 'named'; item: FromItem; column: string }
  /** A column of a sub-select, CTE or function in FROM. */
  | { kind: 'derived'; item: FromItem; column: string }
  /** Not resolvable (unqualified and ambiguous, or not a plain column). */
  | { kind: 'unknown' };

/** The names of a ColumnRef (`c.email` → ['c', 'email']), undefined for `*` references. */
export function columnNames(ref: AnyNode): string[] | undefined {
  const fields: AnyNode[] = ref.fields ?? [];
  if (fields.some((f) => f.A_Star)) return undefined;
  return nameParts(fields);
}

/** Resolve a column reference in a block, looking outwards as PostgreSQL does. */
export function resolveColumn(ctx: TableLookup, ref: AnyNode, block: QueryBlock | undefined): Resolved {
  const names = columnNames(ref);
  if (!names?.length) return { kind: 'unknown' };
  const column = names[names.length - 1];
  if (names.length >= 2) {
    const qualifier = names[names.length - 2];
    for (let b = block; b; b = b.parent) {
      const item = b.items.find((i) => i.name === qualifier);
      if (item) return resolveIn(ctx, item, column) ?? { kind: 'unknown' };
    }
    return { kind: 'unknown' };
  }
  for (let b = block; b; b = b.parent) {
    const definite: Resolved[] = [];
    let maybe = 0;
    let maybeItem: FromItem | undefined;
    for (const item of b.items) {
      const r = resolveIn(ctx, item, column);
      if (r) definite.push(r);
      else if (!knowsColumns(ctx, item)) {
        maybe++;
        maybeItem = item;
      }
    }
    if (definite.length === 1 && maybe === 0) return definite[0];
    if (definite.length > 1 || (definite.length && maybe)) return { kind: 'unknown' };
    // Nothing known about the only relation of this level: it is the likely owner (as text linters assume).
    if (maybe === 1 && b.items.length === 1 && maybeItem) {
      return maybeItem.kind === 'table' ? { kind: 'named', item: maybeItem, column } : { kind: 'derived', item: maybeItem, column };
    }
    if (maybe) return { kind: 'unknown' };
  }
  return { kind: 'unknown' };
}

/** The column in one relation, when that relation is known to have it; undefined when it lacks it or nobody knows. */
function resolveIn(ctx: TableLookup, item: FromItem, column: string): Resolved | undefined {
  if (item.kind === 'table' && item.rangeVar) {
    const table = ctx.table(item.rangeVar as { schemaname?: string; relname: string });
    if (!table) return item.columns?.includes(column) || !knowsColumns(ctx, item) ? { kind: 'named', item, column } : undefined;
    const index = item.columns?.indexOf(column) ?? -1;
    // An alias column list renames the table's columns by position.
    const col = index >= 0 ? table.columns[index] : item.columns ? undefined : table.columns.find((c) => c.name === column);
    return col ? { kind: 'table', item, table, column: col } : undefined;
  }
  if (item.columns) return item.columns.includes(column) ? { kind: 'derived', item, column } : undefined;
  return { kind: 'derived', item, column };
}

function knowsColumns(ctx: TableLookup, item: FromItem): boolean {
  if (item.columns) return true;
  return item.kind === 'table' && item.rangeVar !== undefined && ctx.table(item.rangeVar as { schemaname?: string; relname: string }) !== undefined;
}

/** The table of a FROM item, when the catalog knows it. */
export function itemTable(ctx: TableLookup, item: FromItem): Table | undefined {
  return item.kind === 'table' && item.rangeVar ? ctx.table(item.rangeVar as { schemaname?: string; relname: string }) : undefined;
}

// ---------- expressions ----------

/**
 * Walk an expression's nodes (wrapper type and object), not entering sub-selects (they are blocks of
 * their own); return false from `visit` to skip a node's children.
 */
export function walkExpression(expr: unknown, visit: (type: string, node: AnyNode) => boolean | void): void {
  if (Array.isArray(expr)) {
    for (const e of expr) walkExpression(e, visit);
    return;
  }
  if (!expr || typeof expr !== 'object') return;
  const keys = Object.keys(expr as AnyNode);
  if (keys.length === 1 && /^[A-Z]/.test(keys[0])) {
    const type = keys[0];
    const node = (expr as AnyNode)[type] as AnyNode;
    if (visit(type, node) === false) return;
    if (type === 'SubLink') {
      walkExpression(node.testexpr, visit);
      return;
    }
    if (BLOCK_TYPES[type]) return;
    for (const v of Object.values(node)) if (typeof v === 'object') walkExpression(v, visit);
    return;
  }
  for (const v of Object.values(expr as AnyNode)) if (typeof v === 'object') walkExpression(v, visit);
}

/** Column references in an expression (outside sub-selects). */
export function columnRefs(expr: unknown): AnyNode[] {
  const refs: AnyNode[] = [];
  walkExpression(expr, (type, node) => {
    if (type === 'ColumnRef') refs.push(node);
  });
  return refs;
}

/** Whether an expression contains a node of one of these types (outside sub-selects, unless `deep`). */
export function contains(expr: unknown, types: string[], deep = false): boolean {
  let found = false;
  const visit = (value: unknown): void => {
    if (found || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    for (const [k, v] of Object.entries(value as AnyNode)) {
      if (/^[A-Z]/.test(k) && types.includes(k)) {
        found = true;
        return;
      }
      if (!deep && k === 'subselect') continue;
      visit(v);
    }
  };
  visit(expr);
  return found;
}

/** The function name of a FuncCall, lower-case, without `pg_catalog.`. */
export function functionName(call: AnyNode): string {
  const parts = nameParts(call.funcname);
  return parts[parts.length - 1]?.toLowerCase() ?? '';
}

/** An operator expression's operator (`=`, `<`, `~~`), or undefined. */
export function operatorName(expr: AnyNode): string | undefined {
  const parts = nameParts(expr.name);
  return parts[parts.length - 1];
}

/** `count(*)` or `count(<constant>)`: counts rows (not values), with no FILTER, DISTINCT or window. */
export function isRowCount(node: AnyNode | undefined): boolean {
  const call = node?.FuncCall;
  if (!call || functionName(call) !== 'count' || call.over || call.agg_filter || call.agg_distinct) return false;
  if (call.agg_star) return true;
  return call.args?.length === 1 && Boolean(call.args[0].A_Const) && !call.args[0].A_Const.isnull;
}

/** Integer value of an A_Const node, or undefined. */
export function integerConstant(node: AnyNode | undefined): number | undefined {
  const c = node?.A_Const;
  if (!c || !c.ival) return undefined;
  return c.ival.ival ?? 0;
}

/** String value of an A_Const node, or undefined. */
export function stringConstant(node: AnyNode | undefined): string | undefined {
  return node?.A_Const?.sval?.sval ?? (node?.A_Const?.sval ? '' : undefined);
}

/** `schema.name` of a table for messages. */
export const qualifiedName = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** How a statement names a relation: `orders` or `sales.orders`. */
export function rangeVarName(rv: AnyNode): string {
  return rv.schemaname ? `${rv.schemaname}.${rv.relname}` : rv.relname;
}

/** Highest `$n` used in a node (0 when none), and every number used. */
export function parameterNumbers(node: unknown): Set<number> {
  const used = new Set<number>();
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    for (const [k, v] of Object.entries(value as AnyNode)) {
      if (k === 'ParamRef' && v && typeof v === 'object') used.add((v as AnyNode).number ?? 0);
      else visit(v);
    }
  };
  visit(node);
  return used;
}

/** `n` fresh parameter numbers: the lowest not in `used`, so no gap is left. */
export function freshParameters(used: Set<number>, n: number): number[] {
  const out: number[] = [];
  for (let k = 1; out.length < n; k++) if (!used.has(k)) out.push(k);
  return out;
}
