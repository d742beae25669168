// Running EXPLAIN on an engine. Every statement is explained inside BEGIN … ROLLBACK: EXPLAIN ANALYZE
// executes the statement, and an INSERT/UPDATE/DELETE/MERGE (or a SELECT calling a function that
// writes) must leave nothing behind. Sequences are the one thing a rollback does not undo.
import { shiftedError, type Engine, type Queryable } from '../engine/types.js';
import { InputError } from '../lint/files.js';
import type { AnyNode } from '../rules/types.js';
import type { Statement } from '../sql/parse.js';
import { parseJsonPlan } from './parse-json.js';
import type { Plan } from './types.js';

export interface ExplainStatementOptions {
  /** Execute the statement (EXPLAIN ANALYZE, the default); false for the plan only. */
  analyze?: boolean;
  /** Values for $1, $2 … (text; PostgreSQL infers their types from the query). */
  params?: string[];
}

/** What was explained and how: a generic plan cannot be executed, so it is never ANALYZEd. */
export interface ExplainRun {
  plan: Plan;
  /** The plan is a generic one for a parameterised query without --param values. */
  generic: boolean;
}

/** Statements EXPLAIN accepts (the top-level node kinds of libpg-query's tree). */
const EXPLAINABLE = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ExecuteStmt', 'CreateTableAsStmt', 'DeclareCursorStmt']);

export function isExplainable(stmt: Statement): boolean {
  return EXPLAINABLE.has(stmt.kind);
}

/** The highest $n a statement uses (0 when it has no parameters). */
export function parameterCount(node: AnyNode): number {
  let max = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const ref = (value as AnyNode).ParamRef;
      if (ref && typeof ref.number === 'number') max = Math.max(max, ref.number);
      for (const child of Object.values(value)) visit(child);
    }
  };
  visit(node);
  return max;
}

export async function explainStatement(engine: Engine, stmt: Statement, options: ExplainStatementOptions = {}): Promise<ExplainRun> {
  if (!isExplainable(stmt)) {
    throw new InputError(`${stmt.kind} cannot be explained: give SELECT, INSERT, UPDATE, DELETE or MERGE (schema goes in --schema files)`);
  }
  const version = await engine.version();
  const wanted = parameterCount(stmt.node);
  const params = options.params ?? [];
  if (params.length && params.length !== wanted) {
    throw new InputError(`the query uses ${wanted} parameter${wanted === 1 ? '' : 's'} ($1…$${wanted}) but ${params.length} --param value${params.length === 1 ? ' was' : 's were'} given`);
  }
  const sql = stmt.text.replace(/;\s*$/, '');
  const generic = wanted > 0 && params.length === 0;
  const analyze = options.analyze !== false && !generic;
  const flags = explainFlags(version.major, analyze);
  if (generic && version.major < 16) {
    const name = `pgarch_explain_${process.pid}_${Date.now()}`;
    try {
      return await rolledBack(engine, (tx) => preparedGenericPlan(tx, name, sql, wanted, flags));
    } finally {
      // A prepared statement outlives ROLLBACK (and an aborted transaction cannot drop it): drop it after.
      await engine.query(`DEALLOCATE ${name}`).catch(() => {});
    }
  }
  return rolledBack(engine, async (tx) => {
    const prefix = explainPrefix(flags, generic);
    // Without values, the simple protocol: a generic plan leaves $n unbound (the extended protocol's
    // Bind would refuse), and PGlite loses very large statements in the extended protocol's Parse
    // (a UNION ALL of ~550 SELECTs), which would abort the transaction.
    const run = params.length ? tx.query<Record<string, unknown>>(prefix + sql, params) : engine.simpleQuery<Record<string, unknown>>(prefix + sql);
    const result = await run.catch((error) => {
      throw shiftedError(error, prefix.length);
    });
    return { plan: planOf(result.rows, sql), generic };
  });
}

/**
 * The plan of a statement inside the caller's transaction, which may be READ ONLY (then an ANALYZE of a
 * write fails instead of writing): with `params`, the plan for those values; without, the generic plan,
 * which is never ANALYZEd. For health and the dashboard, which plan statements read back from
 * pg_stat_statements on a live database.
 */
export async function explainIn(tx: Queryable, major: number, sql: string, parameters: number, options: { params?: string[]; analyze?: boolean } = {}): Promise<ExplainRun> {
  const params = options.params?.length ? options.params : undefined;
  const generic = parameters > 0 && !params;
  const flags = explainFlags(major, Boolean(options.analyze) && !generic);
  if (generic && major < 16) {
    const name = `pgarch_plan_${process.pid}_${++planNumber}`;
    const run = await preparedGenericPlan(tx, name, sql, parameters, flags);
    await tx.query(`DEALLOCATE ${name}`);
    return run;
  }
  const prefix = explainPrefix(flags, generic);
  const result = await tx.query<Record<string, unknown>>(prefix + sql, params).catch((error) => {
    throw shiftedError(error, prefix.length);
  });
  return { plan: planOf(result.rows, sql), generic };
}

let planNumber = 0;

/** EXPLAIN's options: ANALYZE (with BUFFERS) when it runs, SETTINGS from PostgreSQL 12, JSON always. */
function explainFlags(major: number, analyze: boolean): string[] {
  return [...(analyze ? ['ANALYZE', 'BUFFERS'] : []), 'VERBOSE', ...(major >= 12 ? ['SETTINGS'] : []), 'FORMAT JSON'];
}

/** `EXPLAIN (…) ` before the statement; GENERIC_PLAN (PostgreSQL 16+) when no values are given. */
function explainPrefix(flags: string[], generic: boolean): string {
  return `EXPLAIN (${[...(generic ? ['GENERIC_PLAN'] : []), ...flags].join(', ')}) `;
}

/**
 * Before PostgreSQL 16 there is no EXPLAIN (GENERIC_PLAN): prepare the statement (PostgreSQL infers the
 * parameter types), force the generic plan, and explain an EXECUTE with NULLs, which a generic plan
 * does not look at.
 */
async function preparedGenericPlan(tx: Queryable, name: string, sql: string, count: number, flags: string[]): Promise<ExplainRun> {
  const prefix = `PREPARE ${name} AS `;
  await tx.query(prefix + sql).catch((error) => {
    throw shiftedError(error, prefix.length);
  });
  await tx.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
  const nulls = Array.from({ length: count }, () => 'NULL').join(', ');
  const result = await tx.query<Record<string, unknown>>(`EXPLAIN (${flags.join(', ')}) EXECUTE ${name}(${nulls})`);
  return { plan: planOf(result.rows, sql), generic: true };
}

function planOf(rows: Array<Record<string, unknown>>, sql: string): Plan {
  const plan = parseJsonPlan(rows[0]?.['QUERY PLAN'] ?? rows[0]);
  plan.query = sql;
  return plan;
}

/** Run `fn` in a transaction that is always rolled back, whatever `fn` did. */
async function rolledBack<T>(engine: Engine, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  await engine.exec('BEGIN');
  try {
    return await fn(engine);
  } finally {
    await engine.exec('ROLLBACK');
  }
}
