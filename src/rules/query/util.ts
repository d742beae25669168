// Helpers the query rules share: statement rewrites, index names, and how a relation is named.
import type { Table } from '../../catalog/types.js';
import type { Edit } from '../../sql/tokens.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import type { AnyNode, QueryRuleContext } from '../types.js';
import { columnRefs, rangeVarName } from './scope.js';
import { nameParts } from '../../sql/quote.js';

/** The statement with edits applied, as a fix: one statement ending in `;`. */
export function rewrite(ctx: QueryRuleContext, edits: Edit[]): string {
  const text = ctx.sql.edit(edits).trim();
  // A statement ending in a -- comment would swallow the `;`.
  const last = ctx.sql.tokens[ctx.sql.tokens.length - 1];
  return last?.name === 'SQL_COMMENT' && text.endsWith(last.text) ? `${text}\n;` : `${text};`;
}

/** The name a fix or message uses for a relation: schema-qualified when the catalog knows it, else as written. */
export function relationName(table: Table | undefined, rv: AnyNode): string {
  return table ? `${table.schema}.${table.name}` : rangeVarName(rv);
}

/** The relation's name for generated SQL: quoted where needed. */
export function relationSql(table: Table | undefined, rv: AnyNode): string {
  if (table) return quoteQualified(table.schema, table.name);
  return rv.schemaname ? quoteQualified(rv.schemaname, rv.relname) : quoteIdent(rv.relname);
}

/** A new index name from its parts (`orders`, `date`, `placed_at` → `orders_date_placed_at_idx`), unused in the schema when the catalog is known. */
export function newIndexName(ctx: QueryRuleContext, table: Table | undefined, tableName: string, parts: string[], suffix = 'idx'): string {
  const base = [tableName, ...parts].map((p) => p.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '')).filter(Boolean).join('_');
  const taken = new Set((ctx.catalog?.tables ?? []).filter((t) => !table || t.schema === table.schema).flatMap((t) => t.indexes.map((i) => i.name)));
  for (let n = 0; ; n++) {
    const tail = n === 0 ? `_${suffix}` : `_${suffix}${n}`;
    const name = truncateIdentifier(base + tail) === base + tail ? base + tail : truncateIdentifier(base).slice(0, 63 - tail.length) + tail;
    if (!taken.has(name)) return name;
  }
}

/** Marks index DDL that cannot run in a transaction block (pgarch's migration runner reads the directive). */
export const CONCURRENTLY_NOTE = '-- CONCURRENTLY cannot run inside a transaction block:\n-- pgarch:no-transaction';

/** Types whose values hold a time of day (BETWEEN on them double-counts the boundary). */
export const TIMESTAMP_TYPES = new Set(['timestamp', 'timestamptz']);

/** Character types gin_trgm_ops indexes directly. */
export const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar']);

/**
 * The text of an expression with its column qualifiers dropped (`lower(c.email)` → `lower(email)`), as
 * an index definition must write it; undefined when it cannot be located.
 */
export function bareExpression(ctx: QueryRuleContext, node: AnyNode): string | undefined {
  const extent = ctx.sql.extent(node);
  if (!extent) return undefined;
  const cuts: Array<{ start: number; end: number }> = [];
  for (const ref of columnRefs(node)) {
    const names = nameParts(ref.fields);
    const start = ctx.sql.offset(ref.location);
    if (names.length < 2 || start === undefined) continue;
    // name . name . name: the column's own name is the last identifier token.
    let k = ctx.sql.tokenAt(start);
    for (let dots = 0; dots < names.length - 1; dots++) k = ctx.sql.next(ctx.sql.next(k));
    cuts.push({ start, end: ctx.sql.tokens[k].start });
  }
  let out = '';
  let cursor = extent.start;
  for (const c of cuts.sort((a, b) => a.start - b.start)) {
    out += ctx.sql.text.slice(cursor, c.start);
    cursor = c.end;
  }
  return out + ctx.sql.text.slice(cursor, extent.end);
}
