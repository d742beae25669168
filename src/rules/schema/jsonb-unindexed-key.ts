import { parseSync } from '../../sql/pg-parser.js';
import { columnOrigin } from '../../catalog/origin.js';
import type { Catalog, Table } from '../../catalog/types.js';
import type { Queryable } from '../../engine/types.js';
import { loadParser } from '../../sql/parse.js';
import { quoteIdent, quoteLiteral, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type AnyNode, type SchemaRule } from '../types.js';
import { accessKey, catalogResolver, indexAccesses, jsonbFilters, PATH_OPS_GIN, type IndexAccess, type JsonbAccess, type JsonbFilter } from './jsonb-filters.js';
import { formatCount } from './normal-util.js';

/** Calls in pg_stat_statements from which an unindexed filter is a warning rather than a note. */
const BUSY_CALLS = 1_000;
/** The most frequent statements read from pg_stat_statements (the view can hold pg_stat_statements.max = 5,000 by default). */
const STATEMENTS_READ = 5_000;

interface Use {
  filter: JsonbFilter;
  views: string[];
  calls: number;
}

/**
 * The workload pgarch can see without guessing: statements that ran, from pg_stat_statements, when
 * reading a live database where the extension is installed (its view is per database; entries are
 * filtered to the current one). Unreadable or absent: no statements, and the rule stays silent.
 */
async function recordedStatements(engine: Queryable): Promise<Array<{ query: string; calls: number }>> {
  try {
    const ext = await engine.query<{ schema: string }>(`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_stat_statements'`);
    if (!ext.rows.length) return [];
    // Text filters first: only statements that can contain a jsonb operator are parsed.
    const { rows } = await engine.query<{ query: string; calls: number }>(
      `select query, calls::float8 as calls from ${quoteIdent(ext.rows[0].schema)}.pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
          and (query like '%->%' or query like '%#>%' or query like '%@>%' or query like '%<@%' or query like '%?%' or query like '%@@%')
        order by calls desc limit ${STATEMENTS_READ}`,
    );
    return rows;
  } catch {
    // Not in shared_preload_libraries, or no permission: no workload to read.
    return [];
  }
}


/** The filter as SQL: `payload ->> 'type'`, `(payload ->> 'n')::int4`; `$n` where the key is a parameter. */
function render(column: string, access: JsonbAccess): string {
  if (access.kind === 'gin') return `${quoteIdent(column)} ${access.op} …`;
  const path = access.steps.reduce((expr, s) => `${expr} ${s.op} ${s.key === undefined ? '$n' : quoteLiteral(s.key)}`, quoteIdent(column));
  return access.cast ? `(${path})::${access.cast}` : path;
}

/** The jsonb lookups and GIN indexes of one table's valid indexes, from their definitions. */
function indexedAccesses(table: Table): IndexAccess[] {
  return table.indexes
    .filter((i) => i.valid)
    .flatMap((i) => {
      let stmt: AnyNode | undefined;
      try {
        stmt = (parseSync(i.definition).stmts?.[0]?.stmt as AnyNode | undefined)?.IndexStmt;
      } catch {
        return [];
      }
      return indexAccesses(i, stmt);
    });
}

function serves(e: IndexAccess, { column, access }: JsonbFilter): boolean {
  if (e.column !== column) return false;
  if (access.kind === 'gin') return 'gin' in e && (!e.pathOps || PATH_OPS_GIN.has(access.op));
  if (!('access' in e) || e.access.kind !== 'path') return false;
  // A key normalized away ($1) may be the indexed one: an index on a lookup of the same shape counts.
  if (access.steps.some((s) => s.key === undefined)) {
    return e.access.steps.length === access.steps.length && e.access.steps.every((s, i) => s.op === access.steps[i].op) && e.access.cast === access.cast;
  }
  return accessKey(e.access) === accessKey(access);
}

function indexFix(table: Table, column: string, access: JsonbAccess, ginOps: Set<string>, indexed: IndexAccess[]): { description: string; sql: string } | undefined {
  const name = quoteQualified(table.schema, table.name);
  if (access.kind === 'gin') {
    // jsonb_path_ops is smaller and faster for @> and jsonpath, but cannot answer key existence (?).
    const pathOps = [...ginOps].every((op) => PATH_OPS_GIN.has(op));
    const indexName = truncateIdentifier(`${table.name}_${column}_gin_idx`);
    const create = `CREATE INDEX CONCURRENTLY ${quoteIdent(indexName)} ON ${name} USING gin (${quoteIdent(column)}${pathOps ? ' jsonb_path_ops' : ''});`;
    // A jsonb_path_ops index that cannot answer ? is replaced, not kept beside a second GIN index.
    const replaced = indexed.find((e) => e.column === column && 'gin' in e && e.pathOps);
    return replaced
      ? {
          description: `Replace ${replaced.index.name} (jsonb_path_ops cannot answer ${access.op}) by a jsonb_ops GIN index, without blocking writes (outside a transaction)`,
          sql: `${create}\nDROP INDEX CONCURRENTLY ${quoteQualified(replaced.index.schema, replaced.index.name)};`,
        }
      : { description: 'A GIN index for containment and key filters, built without blocking writes (outside a transaction)', sql: create };
  }
  if (access.steps.some((s) => s.key === undefined)) return undefined;
  const keys = access.steps.map((s) => (s.key ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '_')).join('_');
  const indexName = truncateIdentifier(`${table.name}_${column}_${keys}_idx`.replace(/_+/g, '_'));
  return {
    description: 'An expression index on the key, built without blocking writes (outside a transaction)',
    sql: `CREATE INDEX CONCURRENTLY ${quoteIdent(indexName)} ON ${name} ((${render(column, access)}));`,
  };
}

function collect(catalog: Catalog, statements: Array<{ query: string; calls: number }>): Map<string, Use> {
  const uses = new Map<string, Use>();
  const add = (filter: JsonbFilter, source: { view?: string; calls?: number }) => {
    const key = `${filter.table.schema}.${filter.table.name}.${filter.column} ${accessKey(filter.access)}`;
    const use = uses.get(key) ?? { filter, views: [], calls: 0 };
    uses.set(key, use);
    if (source.view && !use.views.includes(source.view)) use.views.push(source.view);
    use.calls += source.calls ?? 0;
  };
  // A view's WHERE runs on every query of the view: a workload written into the schema itself.
  for (const view of catalog.views.filter((v) => !v.materialized)) {
    for (const f of jsonbFilters(view.definition, catalogResolver(catalog, [view.schema, 'public']))) add(f, { view: `${view.schema}.${view.name}` });
  }
  const resolver = catalogResolver(catalog, ['public']);
  for (const s of statements) for (const f of jsonbFilters(s.query, resolver)) add(f, { calls: s.calls });
  return uses;
}

export const jsonbUnindexedKey: SchemaRule = {
  id: 'jsonb-unindexed-key',
  area: 'schema',
  severity: 'info',
  summary:
    "A jsonb key or containment filter (payload ->> 'type' = …, payload @> …) in the workload with no expression or GIN index that serves it: every such query reads the whole table. The workload is what pgarch can see: the WHERE clauses of views, and on a live database the statements in pg_stat_statements (where constants, keys included, are normalized to $n, so a lookup by an unknown key is only reported when no expression index on that column has its shape). Without either, the rule says nothing.",
  async check({ catalog, origin, engine, live }) {
    await loadParser();
    const statements = live && engine ? await recordedStatements(engine) : [];
    const uses = collect(catalog, statements);
    const indexed = new Map<Table, IndexAccess[]>();
    const ginOps = new Map<string, Set<string>>();
    for (const { filter } of uses.values()) {
      if (filter.access.kind !== 'gin') continue;
      const key = `${filter.table.oid}.${filter.column}`;
      ginOps.set(key, (ginOps.get(key) ?? new Set()).add(filter.access.op));
    }
    const findings: Finding[] = [];
    for (const { filter, views, calls } of uses.values()) {
      const { table, column, access } = filter;
      if (!indexed.has(table)) indexed.set(table, indexedAccesses(table));
      if (indexed.get(table)!.some((e) => serves(e, filter))) continue;
      const sources = [...(views.length ? [`view ${views.join(', ')}`] : []), ...(calls ? [`pg_stat_statements: ${formatCount(calls)} calls`] : [])].join('; ');
      const unknownKey = access.kind === 'path' && access.steps.some((s) => s.key === undefined);
      const fix = indexFix(table, column, access, ginOps.get(`${table.oid}.${column}`) ?? new Set(), indexed.get(table)!);
      findings.push(
        finding(this, {
          severity: calls >= BUSY_CALLS ? 'warning' : undefined,
          message:
            access.kind === 'gin'
              ? `${table.schema}.${table.name} is filtered on ${render(column, access)} (${sources}) and no GIN index on ${column} serves ${access.op}: each such query reads the whole table`
              : unknownKey
                ? `${table.schema}.${table.name} is filtered on ${render(column, access)} (${sources}), keys unknown, and no expression index on ${column} has that shape: each such query reads the whole table`
                : `${table.schema}.${table.name} is filtered on ${render(column, access)} (${sources}) and no index serves it: each such query reads the whole table`,
          object: `${table.schema}.${table.name}.${column}`,
          location: columnOrigin(origin, table.schema, table.name, column),
          hint:
            access.kind === 'gin'
              ? `Index ${column} with GIN (jsonb_path_ops when only @> and jsonpath filters are used).`
              : unknownKey
                ? `pg_stat_statements replaces keys with $n: find the keys in the application's queries, then index each as ((${column} ->> 'key')), or index ${column} with GIN and filter with ${column} @> '{"key": …}'.`
                : `Index the lookup itself, or index ${column} with GIN and filter with ${column} @> '{"key": …}' instead.`,
          fix,
        }),
      );
    }
    return findings;
  },
};
