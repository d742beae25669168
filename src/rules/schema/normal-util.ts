// Shared by the index and normalization rules: index definitions compared as parse trees (so
// opclass, collation, ordering and predicates count exactly as PostgreSQL printed them), the one
// classification of redundant indexes that duplicate-index and redundant-index split between them,
// and small helpers for messages and generated DDL.
import { parseSync } from '../../sql/pg-parser.js';
import { constraintOrigin, indexOrigin, type OriginMap } from '../../catalog/origin.js';
import type { Catalog, Index, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import type { Fix, Location } from '../../types.js';
import type { AnyNode } from '../types.js';

/** An index definition reduced to what decides which queries it can serve. */
export interface IndexShape {
  method: string;
  /** Each key part (IndexElem: column or expression, opclass, collation, ordering) as canonical JSON. */
  keys: string[];
  /** INCLUDE columns. */
  include: string[];
  /** The WHERE clause as canonical JSON; undefined for a full index. */
  predicate?: string;
  /** UNIQUE … NULLS NOT DISTINCT (PG15+) makes a different constraint than plain UNIQUE. */
  nullsNotDistinct: boolean;
}

/** A parse tree without `location` fields: equal trees mean equal SQL, whatever the spacing. */
export function canonical(node: unknown): string {
  return JSON.stringify(node, (key, value) => (key === 'location' ? undefined : value));
}

/**
 * Parse `pg_get_indexdef` output (requires loadParser). pg_get_indexdef prints opclass and collation
 * only when they are not the column's defaults, so equal printed parts mean equal index keys.
 */
export function indexShape(index: Index): IndexShape | undefined {
  let stmt: AnyNode | undefined;
  try {
    stmt = (parseSync(index.definition).stmts?.[0]?.stmt as AnyNode | undefined)?.IndexStmt;
  } catch {
    return undefined;
  }
  if (!stmt) return undefined;
  return {
    method: stmt.accessMethod ?? index.method,
    keys: (stmt.indexParams ?? []).map((p: AnyNode) => canonical(p.IndexElem)),
    include: (stmt.indexIncludingParams ?? []).map((p: AnyNode) => p.IndexElem?.name as string),
    predicate: stmt.whereClause ? canonical(stmt.whereClause) : undefined,
    nullsNotDistinct: Boolean(stmt.nulls_not_distinct),
  };
}

/** The index enforces a primary key or unique constraint (dropping it means dropping the constraint). */
export function backsKeyConstraint(table: Table, index: Index): boolean {
  return Boolean(index.constraint && table.constraints.some((c) => c.name === index.constraint && (c.type === 'primary key' || c.type === 'unique')));
}

export interface IndexRedundancy {
  /** The index that can go. */
  index: Index;
  /** The index that serves every query the redundant one serves. */
  coveredBy: Index;
  kind: 'identical' | 'prefix';
  /**
   * Which rule reports it, so no index is reported twice: a plain index covered by a primary key's or
   * unique constraint's index is `redundant-index`; everything else is `duplicate-index`.
   */
  rule: 'duplicate-index' | 'redundant-index';
}

/** How much an index is needed: a primary key's most, then a key constraint's, then a unique one's. */
function keepRank(table: Table, index: Index): number {
  if (index.primary) return 0;
  if (backsKeyConstraint(table, index)) return 1;
  if (index.constraint) return 2; // exclusion constraint
  if (index.unique) return 3;
  return 4;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Every index of a table that another index makes unnecessary (requires loadParser). Invalid indexes
 * are left to `invalid-index`: they serve nothing, but are being built or were left by a failed build.
 */
export function indexRedundancies(table: Table, catalog?: Catalog): IndexRedundancy[] {
  const shaped = shapedIndexes(table);
  const parent = table.partitionOf && catalog?.tables.find((t) => `${t.schema}.${t.name}` === table.partitionOf);
  const parentShapes = parent ? shapedIndexes(parent) : [];
  const out: IndexRedundancy[] = [];
  for (const a of shaped) {
    // A partition's copy of its parent's index cannot be dropped alone: the parent's finding covers it.
    // The catalog does not say which index is attached; the oldest one of the shape is (an index
    // created on the parent attaches an existing match, else creates one).
    if (parentShapes.some((p) => isIdentical(a, p)) && !shaped.some((b) => b !== a && isIdentical(a, b) && b.index.oid < a.index.oid)) continue;
    const candidates: Array<{ coveredBy: Index; kind: IndexRedundancy['kind'] }> = [];
    for (const b of shaped) {
      if (a === b) continue;
      if (isIdentical(a, b)) {
        // Of identical indexes keep the most needed one (a constraint's, a unique one), then the oldest.
        const rankA = keepRank(table, a.index);
        const rankB = keepRank(table, b.index);
        if (rankA > rankB || (rankA === rankB && a.index.oid > b.index.oid)) candidates.push({ coveredBy: b.index, kind: 'identical' });
      } else if (isPrefix(a, b) || hashServedByKey(table, a, b)) {
        candidates.push({ coveredBy: b.index, kind: 'prefix' });
      }
    }
    // Report against the strongest cover: a key constraint's index makes it redundant-index's finding,
    // so an index identical to a plain one and also covered by the primary key is reported once, there.
    candidates.sort((x, y) => keepRank(table, x.coveredBy) - keepRank(table, y.coveredBy) || (x.kind === 'identical' ? -1 : 1) - (y.kind === 'identical' ? -1 : 1));
    const best = candidates[0];
    if (best) out.push({ index: a.index, ...best, rule: !a.index.unique && backsKeyConstraint(table, best.coveredBy) ? 'redundant-index' : 'duplicate-index' });
  }
  return out;
}

interface Shaped {
  index: Index;
  shape: IndexShape;
}

function shapedIndexes(table: Table): Shaped[] {
  return table.indexes
    .filter((i) => i.valid)
    .map((index) => ({ index, shape: indexShape(index) }))
    .filter((x): x is Shaped => x.shape !== undefined);
}

function isIdentical(a: Shaped, b: Shaped): boolean {
  return (
    a.shape.method === b.shape.method &&
    a.shape.predicate === b.shape.predicate &&
    a.shape.nullsNotDistinct === b.shape.nullsNotDistinct &&
    a.shape.keys.length === b.shape.keys.length &&
    a.shape.keys.every((k, i) => k === b.shape.keys[i]) &&
    sameSet(a.shape.include, b.shape.include)
  );
}

/**
 * A btree whose key parts lead a longer btree (same opclass, collation, ordering and predicate) serves
 * nothing the longer one cannot, unless it enforces uniqueness itself. Its INCLUDE columns must be in
 * the longer one too, or it still answers some queries from the index alone.
 */
function isPrefix(a: Shaped, b: Shaped): boolean {
  if (a.shape.method !== 'btree' || b.shape.method !== 'btree' || a.index.unique || a.index.constraint || a.shape.predicate !== b.shape.predicate) return false;
  if (a.shape.keys.length >= b.shape.keys.length || !a.shape.keys.every((k, i) => k === b.shape.keys[i])) return false;
  return includesCovered(a, b);
}

function includesCovered(a: Shaped, b: Shaped): boolean {
  const covered = new Set([...b.index.columns.filter((c): c is string => c !== null), ...b.index.include]);
  return a.shape.include.every((c) => covered.has(c));
}

/**
 * A full hash index on one column only answers `col = $1`, which the btree of a primary key or unique
 * constraint led by that plain column answers as well.
 */
function hashServedByKey(table: Table, a: Shaped, b: Shaped): boolean {
  if (a.shape.method !== 'hash' || a.shape.predicate || b.shape.predicate || b.shape.method !== 'btree' || !backsKeyConstraint(table, b.index)) return false;
  const column = a.index.columns[0];
  return a.index.columns.length === 1 && column !== null && b.shape.keys[0] === canonical({ name: column, ordering: 'SORTBY_DEFAULT', nulls_ordering: 'SORTBY_NULLS_DEFAULT' });
}

/** Where an index was created: its CREATE INDEX, or the constraint clause that made it. */
export function indexLocation(origin: OriginMap, table: Table, index: Index): Location | undefined {
  const constraint = index.constraint ? table.constraints.find((c) => c.name === index.constraint) : undefined;
  if (constraint) return constraintOrigin(origin, table.schema, table.name, constraint);
  return indexOrigin(origin, table.schema, table.name, index);
}

/** Drop an index without blocking writes; an index that backs a constraint goes with its constraint. */
export function dropIndexFix(table: Table, index: Index): Fix {
  if (index.constraint) {
    return {
      description: `Drop the constraint ${index.constraint} and the index that enforces it`,
      sql: `ALTER TABLE ${quoteQualified(table.schema, table.name)} DROP CONSTRAINT ${quoteIdent(index.constraint)};`,
    };
  }
  if (table.kind === 'partitioned table') {
    return {
      description: 'Drop the redundant index and its copies on every partition (PostgreSQL cannot drop a partitioned index concurrently: the drop locks the table and its partitions, briefly)',
      sql: `DROP INDEX ${quoteQualified(index.schema, index.name)};`,
    };
  }
  return {
    description: 'Drop the redundant index without blocking writes (run outside a transaction)',
    sql: `DROP INDEX CONCURRENTLY ${quoteQualified(index.schema, index.name)};`,
  };
}

/** The key list as pg_get_indexdef prints it, with opclasses and sort orders: `(a, b DESC)`. */
export function keyList(index: Index): string {
  const at = index.definition.indexOf(' USING ');
  const open = at === -1 ? -1 : index.definition.indexOf('(', at);
  if (open === -1) return `(${index.keys.join(', ')})`;
  // Balanced parentheses, skipping quoted identifiers and literals (an expression may contain either).
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < index.definition.length; i++) {
    const ch = index.definition[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return index.definition.slice(open, i + 1);
  }
  return `(${index.keys.join(', ')})`;
}

/** 12345 → `12,345`, locale-independent. */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A table name's singular for generated column names (orders → order, categories → category); plain English rules only. */
export function singular(name: string): string {
  if (/ies$/.test(name)) return name.replace(/ies$/, 'y');
  if (/(ss|x|ch|sh)es$/.test(name)) return name.replace(/es$/, '');
  if (/[^s]s$/.test(name)) return name.slice(0, -1);
  return name;
}
