// `pgarch lint queries`: the query rules on application SQL — .sql files and SQL literals in .ts/.js
// code — judged from the parse tree alone, or against a catalog built from schema files (or read from a
// live database), where each query is also checked by PostgreSQL itself (PREPARE, never executed).
import { isFatalEngineError, type Engine } from '../engine/types.js';
import type { Catalog } from '../catalog/types.js';
import { defaultConfig, type Config } from '../config.js';
import { buildReport } from '../lint/policy.js';
import { queryRules } from '../rules/query/index.js';
import type { QueryRule, QueryRuleContext } from '../rules/types.js';
import { isIgnored } from '../sql/directives.js';
import type { Statement } from '../sql/parse.js';
import { SqlText } from '../sql/tokens.js';
import type { Finding, Report, Severity } from '../types.js';
import { loadEnvironment, resolveProfile } from '../lint/environment.js';
import { openQueryCatalog, queryCatalogFrom, type QueryCatalog } from './catalog.js';
import { discoverQueryFiles, readQuerySources, type QuerySource, type QueryUnit } from './sources.js';

export interface LintQueriesOptions {
  /** .sql files, code files (.ts, .tsx, .js, .jsx, .mjs, .cjs, .mts, .cts) or directories. */
  paths: string[];
  /** Schema SQL files or directories: applied in order to a scratch engine to build the catalog. */
  schema?: string[];
  /** postgres:// URL: a scratch database there for `schema`; without `schema` (or with `live`), its live catalog, read-only. */
  database?: string;
  live?: boolean;
  /** Rows to assume per table (`orders` or `public.orders`). */
  assumeRows?: Record<string, number>;
  /** Tables known to be smaller than this are small (default: config smallTableRows). */
  smallTableRows?: number;
  config?: Config;
  /** SQL applied before the schema files and never linted; adds to config.setup. */
  setup?: string[];
  rules?: QueryRule[];
  /** An engine that already holds the schema (review's): the queries are checked on it; the caller closes it. */
  engine?: Engine;
}

export interface QueryLintResult {
  report: Report;
  sources: QuerySource[];
  /** The catalog the queries were checked against, when there was one. */
  catalog?: Catalog;
}

export async function lintQueries(options: LintQueriesOptions): Promise<QueryLintResult> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  const sources = await readQuerySources(discoverQueryFiles(options.paths));
  const environment = options.schema?.length && !options.engine
    ? await loadEnvironment({ profile: resolveProfile([...options.schema, ...options.paths], config.profile), setup: [...config.setup, ...(options.setup ?? [])] })
    : undefined;
  const session = options.engine
    ? { ...(await queryCatalogFrom(options.engine, { live: false })), findings: [], files: [], close: async () => {} }
    : options.schema?.length || options.database
      ? await openQueryCatalog({ schema: options.schema, database: options.database, live: options.live, environment })
      : undefined;
  const env: QueryEnvironment = {
    catalog: session,
    config,
    assumeRows: { ...config.assumeRows, ...options.assumeRows },
    smallTableRows: options.smallTableRows ?? config.smallTableRows,
    rules: options.rules ?? queryRules,
  };
  const findings: Finding[] = [...(session?.findings ?? [])];
  let statements = 0;
  try {
    for (const source of sources) {
      findings.push(...source.findings);
      for (const unit of source.units) {
        for (const stmt of unit.parsed.statements) {
          statements++;
          const found = await lintStatement(env, unit, stmt);
          // Directives in code comments (and inside the literal) are applied here; .sql files go through the report policy.
          const silenced = [...source.fileIgnored, ...unit.ignored, ...stmt.ignored, ...unit.parsed.directives.fileIgnored];
          findings.push(...(source.kind === 'code' ? found.filter((f) => !isIgnored(f.rule, silenced)) : found));
        }
      }
    }
  } finally {
    await session?.close();
  }
  const parsed = [...(session?.files ?? []), ...sources.filter((s) => s.kind === 'sql').map((s) => s.units[0].parsed)];
  return {
    report: buildReport(findings, parsed, config, { files: sources.length, statements, started }),
    sources,
    catalog: session?.catalog,
  };
}

export interface QueryEnvironment {
  catalog?: QueryCatalog;
  config: Config;
  assumeRows: Record<string, number>;
  smallTableRows: number;
  rules: QueryRule[];
}

/** Statements PostgreSQL can PREPARE: checked against the catalog when there is one. */
const PREPARABLE = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Every query rule on one statement, then (with a catalog) PostgreSQL's own parse analysis of it. */
export async function lintStatement(env: QueryEnvironment, unit: QueryUnit, stmt: Statement): Promise<Finding[]> {
  const ctx = queryContext(env, unit, stmt);
  const out: Finding[] = [];
  for (const rule of env.rules) {
    if (env.config.rules[rule.id] === 'off') continue;
    try {
      out.push(...(await rule.check(ctx)));
    } catch (error) {
      if (isFatalEngineError(error)) throw error;
      out.push({
        rule: 'rule-error',
        severity: 'warning',
        message: `pgarch's rule ${rule.id} failed on this statement (${(error as Error).message}); the other rules still ran`,
        location: ctx.locate(),
        hint: 'Please report this; silence it with {"rules": {"rule-error": "off"}} meanwhile.',
      });
    }
  }
  if (env.catalog && PREPARABLE.has(stmt.kind) && env.config.rules['execution-error'] !== 'off') {
    const error = await env.catalog.check(stmt.text);
    if (error) {
      const at = error.position === undefined ? undefined : unitsForCodePoints(stmt.text, error.position - 1);
      out.push({
        rule: 'execution-error',
        severity: 'error',
        message: `${error.message}${error.detail ? ` (${error.detail})` : ''}`,
        location: at === undefined ? ctx.locate() : unit.locateOffset(stmt, at),
        hint: error.hint ?? 'PostgreSQL rejects this query against the catalog: check it against the schema.',
      });
    }
  }
  return out;
}

/** What a query rule sees for one statement. */
export function queryContext(env: QueryEnvironment, unit: QueryUnit, stmt: Statement): QueryRuleContext {
  const catalog = env.catalog;
  const rows = (table: { schema?: string; name: string }): number | undefined => {
    const keys = table.schema ? [`${table.schema}.${table.name}`, table.name] : [table.name, ...(catalog?.searchPath ?? ['public']).map((s) => `${s}.${table.name}`)];
    for (const key of keys) if (env.assumeRows[key] !== undefined) return env.assumeRows[key];
    if (!catalog?.live) return undefined;
    const known = catalog.table({ schemaname: table.schema, relname: table.name });
    // PG 14+: -1 means never analyzed (unknown); before 14, 0 meant the same or empty.
    return known && known.reltuples >= 0 ? known.reltuples : undefined;
  };
  return {
    stmt,
    sql: new SqlText(stmt.text, (location) => unit.offset(stmt, location)),
    locate: (location) => unit.locate(stmt, location),
    catalog: catalog?.catalog,
    table: (rv) => catalog?.table(rv),
    indexKeys: (index) => catalog?.indexKeys(index) ?? index.columns.map((c) => ({ column: c ?? undefined })),
    rows,
    sized: (table, severity: Severity) => {
      const n = rows(table);
      return n !== undefined && n < env.smallTableRows ? 'info' : severity;
    },
    smallTableRows: env.smallTableRows,
    acceptsIndex: async (table, expression) => (catalog ? catalog.acceptsIndex(table, expression) : undefined),
    embedded: unit.embedded,
    config: env.config,
  };
}

/** UTF-16 length of the first `points` code points of text. */
function unitsForCodePoints(text: string, points: number): number {
  let i = 0;
  for (let k = 0; k < points && i < text.length; k++) i += text.codePointAt(i)! >= 0x10000 ? 2 : 1;
  return Math.min(i, text.length);
}
