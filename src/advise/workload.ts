// The workload the advisor optimises: queries from .sql files (and SQL in code, as the query lint
// finds it) with `-- weight: N` comments, or the statements pg_stat_statements counted on a live
// database, weighted by their calls.
import type { Queryable } from '../engine/types.js';
import { discoverQueryFiles, readQuerySources, sqlUnit } from '../query/sources.js';
import { SqlText } from '../sql/tokens.js';
import { parseFileSync, type Statement } from '../sql/parse.js';
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
  query: string;
  calls: string;
  mean_ms: number;
  total_ms: number;
}

/**
 * The most expensive statements pg_stat_statements holds for the current database (by total time),
 * as a workload weighted by calls. Statements that are not queries (DDL, utility) are left out.
 */
export async function readStatementStats(db: Queryable, limit: number): Promise<Workload> {
  const version = await db.query<{ num: number }>(`select current_setting('server_version_num')::int as num`);
  // PostgreSQL 13 renamed total_time and mean_time.
  const [total, mean] = (version.rows[0]?.num ?? 0) >= 130000 ? ['total_exec_time', 'mean_exec_time'] : ['total_time', 'mean_time'];
  const { rows } = await db.query<StatementRow>(
    `select query, calls::text as calls, ${mean} as mean_ms, ${total} as total_ms
       from pg_stat_statements s
      where s.dbid = (select oid from pg_database where datname = current_database())
      order by ${total} desc
      limit $1`,
    // Utility statements are counted too and left out below: read more than wanted.
    [limit * 4],
  );
  const queries: WorkloadQuery[] = [];
  const findings: Finding[] = [];
  for (const row of rows) {
    const parsed = parseFileSync(row.query, 'pg_stat_statements');
    const stmt = parsed.statements[0];
    const kind = stmt && parsed.statements.length === 1 ? queryKind(stmt) : undefined;
    if (!kind || parsed.findings.length || readsSystemCatalog(stmt.node)) continue;
    if (queries.length === limit) break;
    const unit = sqlUnit(parsed);
    queries.push({ id: queries.length + 1, sql: stmt.text.replace(/;\s*$/, ''), stmt, text: new SqlText(stmt.text, (at) => unit.offset(stmt, at)), weight: Number(row.calls), kind, source: 'pg_stat_statements', meanMs: row.mean_ms, location: { file: 'pg_stat_statements', statement: queries.length + 1 } });
  }
  return { queries, findings, files: 0, statements: rows.length };
}

/** Monitoring and tools' own catalog reads (`pg_stat_*`, `information_schema`) are not the application's workload. */
function readsSystemCatalog(node: unknown): boolean {
  let found = false;
  const visit = (value: unknown): void => {
    if (found || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const rv = (value as { RangeVar?: { schemaname?: string; relname?: string } }).RangeVar;
    if (rv && (rv.schemaname === 'pg_catalog' || rv.schemaname === 'information_schema' || rv.relname?.startsWith('pg_'))) found = true;
    else for (const v of Object.values(value)) visit(v);
  };
  visit(node);
  return found;
}
