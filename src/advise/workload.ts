// The workload the advisor optimises: queries from .sql files (and SQL in code, as the query lint
// finds it) with `-- weight: N` comments, or the statements pg_stat_statements counted on a live
// database, weighted by their calls.
import { extensionInstalled } from '../engine/extensions.js';
import { OWN_STATEMENT_TAG, type Queryable } from '../engine/types.js';
import { discoverQueryFiles, readQuerySources, sqlUnit } from '../query/sources.js';
import { SqlText } from '../sql/tokens.js';
import { parseFileSync, type ParsedFile, type Statement } from '../sql/parse.js';
import type { Finding } from '../types.js';
import type { QueryKind, WorkloadQuery } from './types.js';

const KINDS: Record<string, QueryKind> = { SelectStmt: 'select', InsertStmt: 'insert', UpdateStmt: 'update', DeleteStmt: 'delete', MergeStmt: 'merge' };

export function queryKind(stmt: Statement): QueryKind | undefined {
  return KINDS[stmt.kind];
}

export interface Workload {
  queries: WorkloadQuery[];
  /** Input findings: syntax errors, statements that are not queries. */
  findings: Finding[];
  files: number;
  statements: number;
}

/** `-- weight: 250` in the comments between the previous statement and this one. */
const WEIGHT = /--[ \t]*weight:[ \t]*([0-9]+(?:\.[0-9]+)?(?:e[0-9]+)?)[ \t]*$/gim;

function weightBefore(text: string, from: number, to: number): number | undefined {
  let weight: number | undefined;
  for (const m of text.slice(from, to).matchAll(WEIGHT)) weight = Number(m[1]);
  return weight;
}

/** Read workload files or directories. */
export async function readWorkloadFiles(paths: string[]): Promise<Workload> {
  const sources = await readQuerySources(discoverQueryFiles(paths));
  const queries: WorkloadQuery[] = [];
  const findings: Finding[] = sources.flatMap((s) => s.findings);
  let statements = 0;
  for (const source of sources) {
    for (const unit of source.units) {
      let previousEnd = 0;
      for (const stmt of unit.parsed.statements) {
        statements++;
        const weight = weightBefore(unit.parsed.text, previousEnd, stmt.start) ?? 1;
        previousEnd = stmt.end;
        const location = unit.locate(stmt);
        const kind = queryKind(stmt);
        if (!kind) {
          // SET and friends shape how queries run, but the advisor costs each query on its own.
          if (stmt.kind !== 'VariableSetStmt') {
            findings.push({ rule: 'execution-error', severity: 'error', message: `${stmt.kind.replace(/Stmt$/, '')} is not a workload query`, location, hint: 'A workload holds SELECT, INSERT, UPDATE, DELETE and MERGE statements; the schema goes in --schema files.' });
          }
          continue;
        }
        if (!(weight > 0)) {
          findings.push({ rule: 'execution-error', severity: 'error', message: `weight ${weight} must be a positive number`, location });
          continue;
        }
        queries.push({ id: queries.length + 1, sql: stmt.text.replace(/;\s*$/, ''), stmt, text: new SqlText(stmt.text, (at) => unit.offset(stmt, at)), location, weight, kind, source: 'file' });
      }
    }
  }
  return { queries, findings, files: sources.length, statements };
}

interface StatementRow {
  queryid: string;
  query: string;
  calls: string;
  mean_ms: number;
  total_ms: number;
}

/** pg_stat_statements' time columns for a server_version_num: PostgreSQL 13 renamed total_time and mean_time. */
export function statementTimeColumns(version: number): { total: string; mean: string } {
  return version >= 130000 ? { total: 'total_exec_time', mean: 'mean_exec_time' } : { total: 'total_time', mean: 'mean_time' };
}

/**
 * A pg_stat_statements query text as an application query: one statement that parses and is a
 * SELECT, INSERT, UPDATE, DELETE or MERGE reading no system catalog (utility statements and monitoring
 * are counted there too), not sent by pgarch. Undefined for the rest. Requires loadParser().
 */
export function applicationStatement(text: string): { parsed: ParsedFile; stmt: Statement; kind: QueryKind } | undefined {
  // pgarch's own reads of a live database (health, the dashboard, the advisor) are tagged.
  if (text.trimStart().startsWith(OWN_STATEMENT_TAG.trim())) return undefined;
  const parsed = parseFileSync(text, 'pg_stat_statements');
  const stmt = parsed.statements[0];
  const kind = stmt && parsed.statements.length === 1 ? queryKind(stmt) : undefined;
  if (!kind || parsed.findings.length || readsSystemCatalog(stmt.node)) return undefined;
  return { parsed, stmt, kind };
}

/** A statement as pg_stat_statements counted it in the current database. */
export interface RecordedStatement {
  queryid: string;
  /** The normalised text (`$1…` for constants), and its parse. */
  query: string;
  stmt: Statement;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  blocksHit: number;
  blocksRead: number;
}

/**
 * The application statements of the current database that pg_stat_statements holds, the `limit` first
 * by total or by mean execution time, among those whose mean is at least `minMeanMs`. For health's
 * slow queries and the dashboard's Queries page. Requires loadParser().
 */
export async function topStatements(db: Queryable, version: number, by: 'total' | 'mean', limit: number, minMeanMs = 0): Promise<RecordedStatement[]> {
  const { total, mean } = statementTimeColumns(version);
  const { rows } = await db.query<{ queryid: string; query: string; calls: string; total: number; mean: number; rows: string; hit: string; read: string }>(
    `select queryid::text as queryid, query, calls::text as calls, ${total}::float8 as total, ${mean}::float8 as mean,
            rows::text as rows, shared_blks_hit::text as hit, shared_blks_read::text as read
       from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database()) and queryid is not null and ${mean} >= $1
      order by ${by === 'total' ? total : mean} desc limit $2`,
    // Utility statements (VACUUM, CREATE INDEX …) and catalog reads are counted too, and dropped below.
    [minMeanMs, limit * 4],
  );
  return rows
    .flatMap((r): RecordedStatement[] => {
      const statement = applicationStatement(r.query);
      if (!statement) return [];
      return [{ queryid: r.queryid, query: r.query, stmt: statement.stmt, calls: Number(r.calls), totalMs: r.total, meanMs: r.mean, rows: Number(r.rows), blocksHit: Number(r.hit), blocksRead: Number(r.read) }];
    })
    .slice(0, limit);
}

/**
 * The most expensive statements pg_stat_statements holds for the current database (by total time),
 * as a workload weighted by calls. Statements that are not queries (DDL, utility) are left out.
 */
export async function readStatementStats(db: Queryable, limit: number): Promise<Workload> {
  const version = await db.query<{ num: number }>(`select current_setting('server_version_num')::int as num`);
  const { total, mean } = statementTimeColumns(version.rows[0]?.num ?? 0);
  const { rows } = await db.query<StatementRow>(
    `select queryid::text as queryid, query, calls::text as calls, ${mean} as mean_ms, ${total} as total_ms
       from pg_stat_statements s
      where s.dbid = (select oid from pg_database where datname = current_database())
      order by ${total} desc
      limit $1`,
    // Utility statements are counted too and left out below: read more than wanted.
    [limit * 4],
  );
  const queries: WorkloadQuery[] = [];
  const findings: Finding[] = [];
  const examples = await qualstatsExamples(db);
  for (const row of rows) {
    const statement = applicationStatement(row.query);
    if (!statement) continue;
    const { parsed, stmt, kind } = statement;
    // An index cannot serve a statement that names no table (select pg_stat_statements_reset(), nextval(…)).
    if (!tablesRead(stmt.node).length) continue;
    if (queries.length === limit) break;
    const unit = sqlUnit(parsed);
    const params = examples ? await exampleParams(examples, row.queryid, stmt) : undefined;
    queries.push({
      id: queries.length + 1,
      sql: stmt.text.replace(/;\s*$/, ''),
      stmt,
      text: new SqlText(stmt.text, (at) => unit.offset(stmt, at)),
      weight: Number(row.calls),
      kind,
      source: 'pg_stat_statements',
      meanMs: row.mean_ms,
      location: { file: 'pg_stat_statements', statement: queries.length + 1 },
      ...(params ? { params, paramsFrom: 'pg_qualstats' as const } : {}),
    });
  }
  return { queries, findings, files: 0, statements: rows.length };
}

/** The constants pg_qualstats saw a pg_stat_statements entry run with, as its `$1…`; undefined without the extension or when they do not line up. */
export async function qualstatsParams(db: Queryable, queryid: string, stmt: { node: unknown }): Promise<string[] | undefined> {
  const examples = await qualstatsExamples(db);
  return examples ? exampleParams(examples, queryid, stmt) : undefined;
}

/** pg_qualstats' example of a statement with the constants it really ran with, when the extension is in the database. */
async function qualstatsExamples(db: Queryable): Promise<((queryid: string) => Promise<string | undefined>) | undefined> {
  if (!(await extensionInstalled(db, 'pg_qualstats'))) return undefined;
  return async (queryid) => {
    const example = await db.query<{ q: string | null }>('select pg_qualstats_example_query($1::bigint) as q', [queryid]);
    return example.rows[0]?.q ?? undefined;
  };
}

/**
 * The values the example ran with, as `$1…` of the normalised statement: both parse to the same tree
 * except where pg_stat_statements put a parameter in place of a constant, so a walk of both side by
 * side pairs each ParamRef with its constant. Undefined when they do not line up (then values are sampled).
 */
async function exampleParams(example: (queryid: string) => Promise<string | undefined>, queryid: string, stmt: { node: unknown }): Promise<string[] | undefined> {
  const text = await example(queryid);
  if (!text) return undefined;
  const parsed = parseFileSync(text, 'pg_qualstats');
  if (parsed.findings.length || parsed.statements.length !== 1) return undefined;
  const params: string[] = [];
  let aligned = true;
  const walk = (a: unknown, b: unknown): void => {
    if (!aligned) return;
    if (Array.isArray(a)) {
      if (!Array.isArray(b) || a.length !== b.length) aligned = false;
      else a.forEach((x, i) => walk(x, b[i]));
      return;
    }
    if (!a || typeof a !== 'object') return;
    if (!b || typeof b !== 'object') return void (aligned = false);
    const ref = (a as { ParamRef?: { number: number } }).ParamRef;
    if (ref) {
      const value = constantText((b as { A_Const?: Record<string, unknown> }).A_Const);
      if (value === undefined) aligned = false;
      else params[ref.number - 1] = value;
      return;
    }
    for (const [key, value] of Object.entries(a)) if (key !== 'location' && value && typeof value === 'object') walk(value, (b as Record<string, unknown>)[key]);
  };
  walk(stmt.node, parsed.statements[0].node);
  return aligned && params.length && params.every((p) => p !== undefined) ? params : undefined;
}

/** A constant's value as text, as a bound parameter carries it. */
function constantText(c: Record<string, unknown> | undefined): string | undefined {
  if (!c || c.isnull) return undefined;
  const v = (c.sval ?? c.ival ?? c.fval ?? c.boolval ?? c.bsval) as Record<string, unknown> | undefined;
  if (!v) return undefined;
  const inner = v.sval ?? v.ival ?? v.fval ?? v.boolval ?? v.bsval;
  // An empty ival is 0 and an empty boolval false: the parse tree leaves out zero values.
  if (inner === undefined) return c.ival ? '0' : c.boolval ? 'false' : undefined;
  return String(inner);
}

/** Monitoring and tools' own catalog reads (`pg_stat_*`, `information_schema`) are not the application's workload. */
function readsSystemCatalog(node: unknown): boolean {
  return tablesRead(node).some((rv) => rv.schemaname === 'pg_catalog' || rv.schemaname === 'information_schema' || rv.relname?.startsWith('pg_'));
}

/** The RangeVars of a statement's tree: every table (or view) it names. */
function tablesRead(node: unknown): Array<{ schemaname?: string; relname?: string }> {
  const found: Array<{ schemaname?: string; relname?: string }> = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const rv = (value as { RangeVar?: { schemaname?: string; relname?: string } }).RangeVar;
    if (rv) found.push(rv);
    for (const v of Object.values(value)) visit(v);
  };
  visit(node);
  return found;
}
