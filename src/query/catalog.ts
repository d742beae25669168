// The catalog query rules consult: schema files applied to a scratch engine (embedded PGlite, or a
// scratch database on a server), or a live database read in a READ ONLY session. Besides the plain
// Catalog it resolves names on the search_path, reads index definitions with the parser, tries index
// expressions in a rolled-back transaction, and checks each query against the catalog with PREPARE.
import { parseSync } from '../sql/pg-parser.js';
import { introspect } from '../catalog/introspect.js';
import type { Catalog, Index, Table } from '../catalog/types.js';
import { openEngine } from '../engine/index.js';
import { toEngineError, type Engine, type EngineError } from '../engine/types.js';
import { applyFiles, extensionsUsed } from '../lint/apply.js';
import { applyEnvironment, EMPTY_ENVIRONMENT, type Environment } from '../lint/environment.js';
import { InputError } from '../lint/files.js';
import { readSqlFiles } from '../lint/schema.js';
import type { AnyNode, IndexKey } from '../rules/types.js';
import { nameParts, quoteQualified } from '../sql/quote.js';
import type { ParsedFile } from '../sql/parse.js';
import type { Finding } from '../types.js';

export interface QueryCatalog {
  catalog: Catalog;
  /** Read from a live database: its statistics are real, and nothing may be changed. */
  live: boolean;
  /** Schemas searched for unqualified names, in order. */
  searchPath: string[];
  table(rangeVar: { schemaname?: string; relname: string }): Table | undefined;
  indexKeys(index: Index): IndexKey[];
  /** Whether PostgreSQL accepts an index on this expression (tried and rolled back); undefined on a live database. */
  acceptsIndex(table: Table, expression: string): Promise<boolean | undefined>;
  /** Parse analysis of a query against the catalog (PREPARE, never executed): the error, if any. */
  check(sql: string): Promise<EngineError | undefined>;
}

export interface QueryCatalogSession extends QueryCatalog {
  /** Findings of applying the schema files (syntax and execution errors). */
  findings: Finding[];
  /** The schema files, parsed. */
  files: ParsedFile[];
  close(): Promise<void>;
}

export interface OpenQueryCatalogOptions {
  /** Schema SQL files or directories, applied in order to a scratch engine. */
  schema?: string[];
  /** postgres:// URL: a scratch database there for the schema files, or with `live` the database itself. */
  database?: string;
  /** Read the database's own catalog (read-only) instead of applying schema files. */
  live?: boolean;
  /** What the schema assumes before its first file (applied first, never linted). */
  environment?: Environment;
}

/** Build the catalog for query linting; the caller closes it. */
export async function openQueryCatalog(options: OpenQueryCatalogOptions): Promise<QueryCatalogSession> {
  if (options.live && !options.database) throw new InputError('a live catalog needs a database URL');
  const live = Boolean(options.database) && (options.live || !options.schema?.length);
  const files = live ? [] : await readSqlFiles(options.schema ?? []);
  const env = live ? EMPTY_ENVIRONMENT : (options.environment ?? EMPTY_ENVIRONMENT);
  const engine = await openEngine(live ? { database: options.database, readOnly: true } : { database: options.database, scratch: true, extensions: [...env.extensions, ...extensionsUsed(files)] });
  try {
    const findings = [...files.flatMap((f) => f.findings), ...(live ? [] : [...(await applyEnvironment(engine, env)).findings, ...(await applyFiles(engine, files))])];
    // On a live database PREPARE takes brief relation locks: never queue behind a migration for long.
    if (live) await engine.exec("SET lock_timeout = '2s'");
    const catalog = await queryCatalogFrom(engine, { live });
    return { ...catalog, findings, files, close: () => engine.close() };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

/** SQLSTATEs of PREPARE that say nothing about the query's correctness. */
const IGNORED_STATES = new Set([
  '42P18', // could not determine the data type of a parameter
  '42P08', // ambiguous parameter
  '42725', // function not unique (unknown parameter types)
  '55P03', // lock timeout (live database)
  '25006', // read-only transaction
]);

let statementCounter = 0;

/** A QueryCatalog over an engine the caller owns (the case runner's, or one openQueryCatalog opened). */
export async function queryCatalogFrom(engine: Engine, options: { live: boolean }): Promise<QueryCatalog> {
  const catalog = await introspect(engine);
  const { rows } = await engine.query<{ schemas: string[] }>('select current_schemas(false)::text[] as schemas');
  const searchPath = rows[0]?.schemas ?? ['public'];
  const byName = new Map(catalog.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const keys = new Map<Index, IndexKey[]>();
  const accepted = new Map<string, boolean>();
  return {
    catalog,
    live: options.live,
    searchPath,
    table(rv) {
      if (rv.schemaname) return byName.get(`${rv.schemaname}.${rv.relname}`);
      for (const schema of searchPath) {
        const t = byName.get(`${schema}.${rv.relname}`);
        if (t) return t;
      }
      return undefined;
    },
    indexKeys(index) {
      let k = keys.get(index);
      if (!k) keys.set(index, (k = readIndexKeys(index)));
      return k;
    },
    async acceptsIndex(table, expression) {
      if (options.live) return undefined;
      const key = `${table.schema}.${table.name}:${expression}`;
      if (!accepted.has(key)) {
        const rollback = 'pgarch: index expression accepted';
        try {
          await engine.transaction(async (tx) => {
            await tx.exec(`CREATE INDEX ON ${quoteQualified(table.schema, table.name)} ((${expression}))`);
            throw new Error(rollback);
          });
        } catch (error) {
          accepted.set(key, (error as Error).message === rollback);
        }
      }
      return accepted.get(key);
    },
    async check(sql) {
      const name = `pgarch_check_${++statementCounter}`;
      const prefix = `PREPARE ${name} AS `;
      try {
        await engine.exec(`${prefix}${sql}`);
      } catch (error) {
        const e = toEngineError(error);
        if (e.code && IGNORED_STATES.has(e.code)) return undefined;
        const position = e.position !== undefined && e.position > prefix.length ? e.position - prefix.length : undefined;
        return toEngineError({ message: e.message, code: e.code, position, detail: e.detail, hint: e.hint });
      }
      await engine.exec(`DEALLOCATE ${name}`).catch(() => {});
      return undefined;
    },
  };
}

/** An index's key parts from its definition (pg_get_indexdef), read with the parser. */
export function readIndexKeys(index: Index): IndexKey[] {
  try {
    const stmt = parseSync(index.definition).stmts?.[0]?.stmt as AnyNode | undefined;
    const params: AnyNode[] = stmt?.IndexStmt?.indexParams ?? [];
    return params.map((p) => {
      const elem = p.IndexElem ?? {};
      const opclass = nameParts(elem.opclass);
      return { column: elem.name, expression: elem.expr, opclass: opclass[opclass.length - 1] };
    });
  } catch {
    return index.columns.map((c) => ({ column: c ?? undefined }));
  }
}
