// Candidate indexes from each query's parse tree and the catalog, the way an architect reads a
// query: equality columns first (most selective first), then one range column, or the ORDER BY /
// GROUP BY columns when the index can also deliver the order (a sort and a LIMIT served by the
// index); partial indexes for predicates on constants; expression keys for functions of columns;
// INCLUDE columns for an index-only scan; GIN for trigram and jsonb containment; and merges of
// candidates on one table, so one index can serve several queries.
import type { Table } from '../catalog/types.js';
import { analyze, columnNames, operatorName, resolveColumn, type FromItem, type QueryBlock, type Resolved, type TableLookup } from '../rules/query/scope.js';
import type { AnyNode } from '../rules/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { CandidateIndex, CandidateShape, IndexMethod, KeyPart, WorkloadQuery } from './types.js';

export interface CandidateContext extends TableLookup {
  /** Estimated distinct values of a column (pg_stats); undefined when unknown. Orders equality keys. */
  distinct(table: Table, column: string): number | undefined;
  /** Whether an extension (pg_trgm) is installed or can be, for operator classes it brings. */
  canUse(extension: string): boolean;
}

export interface CandidateOptions {
  /** Most INCLUDE columns a covering candidate carries (default 4). */
  maxInclude?: number;
}

interface Part {
  key: KeyPart;
  /** The conjunct's SQL when the key is compared to a constant (`status = 'pending'`): a partial index predicate. */
  predicate?: string;
  distinct: number;
}

/** How one query block uses one table: what an index on it could serve. */
interface TableUse {
  query: WorkloadQuery;
  table: Table;
  eq: Part[];
  range: Part[];
  order: KeyPart[];
  group: KeyPart[];
  predicates: Array<{ sql: string; reads: string[] }>;
  gin: Array<{ key: KeyPart; shape: CandidateShape; extension?: string }>;
  referenced: Set<string>;
  star: boolean;
  select: boolean;
}

const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);
const RANGE_OPS = new Set(['<', '>', '<=', '>=']);

/** Every candidate for the workload, deduplicated, each knowing the queries it was made for. */
export function generateCandidates(queries: WorkloadQuery[], ctx: CandidateContext, options: CandidateOptions = {}): CandidateIndex[] {
  const byId = new Map<string, CandidateIndex>();
  const add = (c: CandidateIndex) => {
    const known = byId.get(c.id);
    if (!known) byId.set(c.id, c);
    else {
      for (const q of c.queries) known.queries.add(q);
      for (const s of c.shapes) known.shapes.add(s);
    }
  };
  for (const query of queries) {
    if (query.kind === 'insert') continue;
    for (const use of tableUses(query, ctx)) for (const c of candidatesFor(use, options.maxInclude ?? 4)) add(c);
  }
  for (const c of mergedCandidates([...byId.values()])) add(c);
  return [...byId.values()];
}

function tableUses(query: WorkloadQuery, ctx: CandidateContext): TableUse[] {
  const analysis = analyze(query.stmt.node as AnyNode);
  const uses: TableUse[] = [];
  for (const block of analysis.blocks) {
    if (block.kind === 'insert' || block.setOperation) continue;
    for (const item of block.items) {
      if (item.kind !== 'table' || !item.rangeVar) continue;
      const table = ctx.table(item.rangeVar as { schemaname?: string; relname: string });
      if (!table || table.kind === 'foreign table') continue;
      const use: TableUse = { query, table, eq: [], range: [], order: [], group: [], predicates: [], gin: [], referenced: new Set(), star: false, select: block.kind === 'select' };
      readConjuncts(use, item, block, ctx);
      readOrdering(use, item, block, ctx);
      for (const at of analysis.nodes) {
        if (at.block !== block || at.type !== 'ColumnRef') continue;
        const names = columnNames(at.node);
        if (!names) {
          const fields: AnyNode[] = at.node.fields ?? [];
          const qualifier = fields.length > 1 ? fields[0].String?.sval : undefined;
          if (!qualifier || qualifier === item.name) use.star = true;
          continue;
        }
        const r = resolveColumn(ctx, at.node, block);
        if (r.kind === 'table' && r.item === item) use.referenced.add(r.column.name);
      }
      uses.push(use);
    }
  }
  return uses;
}

/** The top-level AND-ed conditions of WHERE and of the joins' ON clauses. */
function conjuncts(block: QueryBlock): AnyNode[] {
  const out: AnyNode[] = [];
  const split = (node: AnyNode | undefined) => {
    if (!node) return;
    if (node.BoolExpr?.boolop === 'AND_EXPR') node.BoolExpr.args.forEach(split);
    else out.push(node);
  };
  split(block.node.whereClause);
  const joins = (entry: AnyNode | undefined) => {
    const j = entry?.JoinExpr;
    if (!j) return;
    split(j.quals);
    joins(j.larg);
    joins(j.rarg);
  };
  for (const entry of block.node.fromClause ?? []) joins(entry);
  return out;
}

type Side = 'mine' | 'other' | 'mixed';

/** Every column reference of an expression, resolved in the block (sub-selects are `onSubLink`'s). */
function eachColumn(expr: unknown, block: QueryBlock, ctx: CandidateContext, visit: (resolved: Resolved, ref: AnyNode) => void, onSubLink?: () => void): void {
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(walk);
    for (const [k, v] of Object.entries(value as AnyNode)) {
      if (k === 'ColumnRef') visit(resolveColumn(ctx, v as AnyNode, block), v as AnyNode);
      else if (k === 'SubLink' && onSubLink) onSubLink();
      else walk(v);
    }
  };
  walk(expr);
}

function sideOf(expr: AnyNode | undefined, item: FromItem, block: QueryBlock, ctx: CandidateContext): Side {
  let mine = 0;
  let other = 0;
  eachColumn(
    expr,
    block,
    ctx,
    (r) => (r.kind !== 'unknown' && r.item === item ? mine++ : other++),
    () => other++,
  );
  return mine && other ? 'mixed' : mine ? 'mine' : 'other';
}

/** A constant in the SQL itself (not a parameter, not now()): usable in a partial index predicate. */
function isConstant(expr: AnyNode | undefined): boolean {
  if (!expr) return false;
  if (expr.A_Const) return !expr.A_Const.isnull;
  if (expr.TypeCast) return isConstant(expr.TypeCast.arg);
  if (expr.List) return (expr.List.items ?? []).every(isConstant);
  if (expr.A_ArrayExpr) return (expr.A_ArrayExpr.elements ?? []).every(isConstant);
  return false;
}

function readConjuncts(use: TableUse, item: FromItem, block: QueryBlock, ctx: CandidateContext): void {
  for (const c of conjuncts(block)) {
    const e = c.A_Expr;
    if (e) {
      let [mine, other] = [e.lexpr as AnyNode | undefined, e.rexpr as AnyNode | undefined];
      let ls = sideOf(mine, item, block, ctx);
      let rs = sideOf(other, item, block, ctx);
      if (ls !== 'mine' && rs === 'mine' && e.kind === 'AEXPR_OP') {
        [mine, other] = [other, mine];
        [ls, rs] = [rs, ls];
      }
      if (ls !== 'mine' || rs !== 'other') continue;
      const key = keyOf(use, item, block, ctx, mine!);
      if (!key) continue;
      const op = operatorName(e);
      const part = (): Part => ({ key, distinct: key.column ? (ctx.distinct(use.table, key.column) ?? 100) : 1e9 });
      const constant = isConstant(other);
      const conjunctSql = constant ? sourceWithoutQualifiers(use.query, c, item, block, ctx) : undefined;
      if ((e.kind === 'AEXPR_OP' && op === '=') || e.kind === 'AEXPR_IN' || (e.kind === 'AEXPR_OP_ANY' && op === '=')) {
        use.eq.push({ ...part(), predicate: conjunctSql });
        if (conjunctSql) use.predicates.push({ sql: conjunctSql, reads: key.reads });
      } else if ((e.kind === 'AEXPR_OP' && RANGE_OPS.has(op ?? '')) || e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_BETWEEN_SYM') {
        use.range.push(part());
      } else if (e.kind === 'AEXPR_LIKE' || e.kind === 'AEXPR_ILIKE') {
        if (op === '!~~' || op === '!~~*') continue;
        const column = key.column ? use.table.columns.find((col) => col.name === key.column) : undefined;
        if (column && !TEXT_TYPES.has(column.typeName)) continue;
        if (ctx.canUse('pg_trgm')) use.gin.push({ key: { ...key, opclass: 'gin_trgm_ops' }, shape: 'trigram', extension: 'pg_trgm' });
      } else if (e.kind === 'AEXPR_OP' && ['@>', '?', '?|', '?&', '&&', '<@'].includes(op ?? '') && key.column) {
        const column = use.table.columns.find((col) => col.name === key.column);
        if (column?.typeName === 'jsonb') use.gin.push({ key: op === '@>' ? { ...key, opclass: 'jsonb_path_ops' } : key, shape: 'jsonb' });
        else if (column?.isArray) use.gin.push({ key, shape: 'jsonb' });
      }
      continue;
    }
    // Predicates with no comparison: IS [NOT] NULL, IS TRUE, a boolean column, NOT a boolean column.
    const target = c.NullTest?.arg ?? c.BooleanTest?.arg ?? (c.ColumnRef ? c : c.BoolExpr?.boolop === 'NOT_EXPR' && c.BoolExpr.args?.[0]?.ColumnRef ? c.BoolExpr.args[0] : undefined);
    if (target && sideOf(target, item, block, ctx) === 'mine') {
      const key = keyOf(use, item, block, ctx, target);
      const sql = sourceWithoutQualifiers(use.query, c, item, block, ctx);
      if (key && sql) use.predicates.push({ sql, reads: key.reads });
    }
  }
}

function readOrdering(use: TableUse, item: FromItem, block: QueryBlock, ctx: CandidateContext): void {
  const keysOf = (nodes: AnyNode[]): KeyPart[] => {
    const keys: KeyPart[] = [];
    for (const node of nodes) {
      if (sideOf(node, item, block, ctx) !== 'mine') return [];
      const key = keyOf(use, item, block, ctx, node);
      if (!key) return [];
      keys.push(key);
    }
    return keys;
  };
  const sorts: AnyNode[] = block.node.sortClause ?? [];
  const order = keysOf(sorts.map((s) => s.SortBy?.node));
  // Mixed directions need them in the index; one direction is served by scanning it backwards.
  const desc = sorts.map((s) => s.SortBy?.sortby_dir === 'SORTBY_DESC');
  if (order.length && desc.some((d) => d !== desc[0])) order.forEach((k, i) => (k.desc = desc[i]));
  use.order = order;
  const groups: AnyNode[] = (block.node.groupClause ?? []).filter((g: AnyNode) => !g.A_Const);
  use.group = keysOf(groups);
}

/** A key part for an expression of this table's columns: the column itself, or the expression. */
function keyOf(use: TableUse, item: FromItem, block: QueryBlock, ctx: CandidateContext, expr: AnyNode): KeyPart | undefined {
  if (expr.ColumnRef) {
    const r = resolveColumn(ctx, expr.ColumnRef, block);
    if (r.kind !== 'table' || r.item !== item) return undefined;
    return { sql: quoteIdent(r.column.name), column: r.column.name, reads: [r.column.name] };
  }
  if (expr.ParamRef || expr.A_Const || expr.SubLink) return undefined;
  const sql = sourceWithoutQualifiers(use.query, expr, item, block, ctx);
  if (!sql) return undefined;
  const reads = new Set<string>();
  eachColumn(expr, block, ctx, (r) => r.kind === 'table' && reads.add(r.column.name));
  return { sql: `(${sql})`, reads: [...reads] };
}

/** An expression's text with `alias.column` written as `column`: index keys and predicates name bare columns. */
function sourceWithoutQualifiers(query: WorkloadQuery, expr: AnyNode, item: FromItem, block: QueryBlock, ctx: CandidateContext): string | undefined {
  const extent = query.text.extent(expr);
  if (!extent) return undefined;
  const edits: Array<{ start: number; end: number; text: string }> = [];
  eachColumn(expr, block, ctx, (r, ref) => {
    const at = query.text.extent({ ColumnRef: ref });
    if (r.kind === 'table' && r.item === item && at && ref.fields?.length > 1) edits.push({ ...at, text: quoteIdent(r.column.name) });
  });
  let out = '';
  let at = extent.start;
  for (const e of edits.sort((a, b) => a.start - b.start)) {
    out += query.text.text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return (out + query.text.text.slice(at, extent.end)).replace(/\s+/g, ' ');
}

function candidatesFor(use: TableUse, maxInclude: number): CandidateIndex[] {
  const out: CandidateIndex[] = [];
  const make = (shape: CandidateShape, keys: KeyPart[], extra: { include?: string[]; where?: string; whereReads?: string[]; method?: IndexMethod; extension?: string } = {}) => {
    const unique = dedupeKeys(keys);
    if (!unique.length) return undefined;
    const c = candidate(use.table, extra.method ?? 'btree', unique, extra.include ?? [], extra.where, extra.whereReads ?? [], shape, use.query.id, extra.extension);
    if (!unique.every((k) => k.column) && shape !== 'trigram' && shape !== 'jsonb') c.shapes.add('expression');
    out.push(c);
    return c;
  };
  const eq = [...use.eq].sort((a, b) => b.distinct - a.distinct);
  const eqKeys = eq.map((p) => p.key);
  const firstRange = use.range[0]?.key;
  for (const p of [...eq, ...use.range]) make('single', [p.key]);
  const bases: KeyPart[][] = [];
  // Equality keys, then the first range key.
  const filterKeys = [...eqKeys, ...(firstRange ? [firstRange] : [])];
  if (filterKeys.length) bases.push(filterKeys);
  const ordering = use.order.length ? use.order : use.group;
  const orderServed = ordering.length && (!firstRange || ordering[0].sql === firstRange.sql);
  if (orderServed) bases.push([...eqKeys, ...ordering]);
  bases.forEach((keys, i) => make(i === bases.length - 1 && orderServed ? 'sort' : keys.length > 1 ? 'composite' : 'single', keys));

  // Partial: the constant comparisons move into WHERE, the rest stays the key.
  const constantSql = new Set(eq.filter((p) => p.predicate).map((p) => p.key.sql));
  const where = use.predicates.length ? [...new Set(use.predicates.map((p) => p.sql))].sort().join(' AND ') : undefined;
  const whereReads = [...new Set(use.predicates.flatMap((p) => p.reads))];
  const partials: KeyPart[][] = [];
  if (where) {
    for (const keys of bases) {
      const rest = keys.filter((k) => !constantSql.has(k.sql));
      if (rest.length) partials.push(rest);
    }
    for (const keys of partials) make('partial', keys, { where, whereReads });
  }

  // Covering: the block's other columns of this table as INCLUDE, for an index-only scan.
  if (use.select && !use.star) {
    const best = bases[bases.length - 1];
    for (const [keys, partial] of [[best, false], [partials[partials.length - 1], true]] as const) {
      if (!keys) continue;
      const keyColumns = new Set(keys.flatMap((k) => k.reads));
      const predicateColumns = partial ? new Set(whereReads) : new Set<string>();
      const include = [...use.referenced].filter((c) => !keyColumns.has(c) && !predicateColumns.has(c)).sort();
      if (include.length === 0 || include.length > maxInclude || !keys.every((k) => k.column)) continue;
      const c = make('covering', keys, { include: include.map(quoteIdent), ...(partial ? { where, whereReads } : {}) });
      if (c && partial) c.shapes.add('partial');
    }
  }
  for (const g of use.gin) make(g.shape, [g.key], { method: 'gin', extension: g.extension });
  return out;
}

function dedupeKeys(keys: KeyPart[]): KeyPart[] {
  const seen = new Set<string>();
  return keys.filter((k) => !seen.has(k.sql) && seen.add(k.sql));
}

export function candidate(table: Table, method: IndexMethod, keys: KeyPart[], include: string[], where: string | undefined, whereReads: string[], shape: CandidateShape, query: number, extension?: string): CandidateIndex {
  const keyText = keys.map((k) => `${k.sql}${k.opclass ? ` ${k.opclass}` : ''}${k.desc ? ' DESC' : ''}`).join(', ');
  const id = `${quoteIdent(table.schema)}.${quoteIdent(table.name)} USING ${method} (${keyText})${include.length ? ` INCLUDE (${include.join(', ')})` : ''}${where ? ` WHERE ${where}` : ''}`;
  return { id, schema: table.schema, table: table.name, method, keys, include, where, whereReads, shapes: new Set([shape]), queries: new Set([query]), ...(extension ? { extension } : {}) };
}

/** Btree candidates on one table that lead with the same key, merged: one index for both queries. */
function mergedCandidates(candidates: CandidateIndex[]): CandidateIndex[] {
  const out: CandidateIndex[] = [];
  const byTable = new Map<string, CandidateIndex[]>();
  for (const c of candidates) {
    if (c.method !== 'btree' || c.include.length || c.where) continue;
    const k = `${c.schema}.${c.table}`;
    byTable.set(k, [...(byTable.get(k) ?? []), c]);
  }
  for (const list of byTable.values()) {
    let made = 0;
    for (let i = 0; i < list.length && made < 10; i++) {
      for (let j = i + 1; j < list.length && made < 10; j++) {
        const [a, b] = [list[i], list[j]];
        if (a.keys[0].sql !== b.keys[0].sql || isPrefix(a.keys, b.keys) || isPrefix(b.keys, a.keys)) continue;
        const keys = dedupeKeys([...a.keys, ...b.keys]);
        if (keys.length > 4) continue;
        const table = { schema: a.schema, name: a.table } as Table;
        const m = candidate(table, 'btree', keys, [], undefined, [], 'merged', [...a.queries][0]);
        for (const q of [...a.queries, ...b.queries]) m.queries.add(q);
        out.push(m);
        made++;
      }
    }
  }
  return out;
}

/** Whether key list `a` is a prefix of `b` (same key SQL, opclass and direction, in order). */
export function isPrefix(a: KeyPart[], b: KeyPart[]): boolean {
  return a.length <= b.length && a.every((k, i) => k.sql === b[i].sql && k.opclass === b[i].opclass && Boolean(k.desc) === Boolean(b[i].desc));
}
