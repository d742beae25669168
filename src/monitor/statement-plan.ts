// The plan of a statement pg_stat_statements recorded, with the plan rules' insights. Its `$1…` take the
// values pg_qualstats saw it run with when the extension is there; without values it gets PostgreSQL's
// generic plan, estimates only. With `analyze`, a SELECT whose values are known (or that has none) is
// run by EXPLAIN ANALYZE — the plan rules read actual rows and time — inside the caller's READ ONLY
// transaction and under its statement_timeout; anything else is only planned. A savepoint keeps a
// statement that no longer plans (a dropped table) from costing the caller more than this plan.
import { qualstatsParams } from '../advise/workload.js';
import { analyzePlan, type PlanAnalysis } from '../explain/analyze.js';
import { explainIn, parameterCount } from '../explain/run.js';
import { toEngineError, type Queryable } from '../engine/types.js';
import type { Statement } from '../sql/parse.js';

export interface StatementPlan {
  analysis: PlanAnalysis;
  /** PostgreSQL's generic plan: no values were known for the statement's parameters. */
  generic: boolean;
  /** The values planned with, from pg_qualstats. */
  params?: string[];
  /** EXPLAIN ANALYZE ran it. */
  analyzed: boolean;
}

export type StatementPlanResult = StatementPlan | { error: string };

export async function planRecordedStatement(tx: Queryable, version: number, queryid: string, stmt: Statement, options: { analyze?: boolean } = {}): Promise<StatementPlanResult> {
  const sql = stmt.text.replace(/;\s*$/, '');
  const parameters = parameterCount(stmt.node);
  await tx.query('SAVEPOINT pgarch_plan');
  try {
    const params = parameters ? await qualstatsParams(tx, queryid, stmt) : undefined;
    const analyze = Boolean(options.analyze) && stmt.kind === 'SelectStmt' && (parameters === 0 || params !== undefined);
    const run = await explainIn(tx, Math.floor(version / 10000), sql, parameters, { params, analyze });
    await tx.query('RELEASE SAVEPOINT pgarch_plan');
    return { analysis: analyzePlan(run.plan, { parameterValues: params !== undefined }), generic: run.generic, analyzed: run.plan.analyzed, ...(params ? { params } : {}) };
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT pgarch_plan');
    return { error: toEngineError(error).message };
  }
}
