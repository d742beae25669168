import { topStatements } from '../../advise/workload.js';
import { loadParser } from '../../sql/parse.js';
import { planRecordedStatement } from '../statement-plan.js';
import type { HealthCheck } from '../types.js';

/** Insights of each slow statement's plan that go into its hint. */
const INSIGHTS_PER_QUERY = 3;
/**
 * The slowest statements are run again by EXPLAIN ANALYZE (a read-only SELECT whose values are known),
 * so that the plan rules see actual rows: the first few only, and only those fast enough on average
 * that the run stays within seconds.
 */
const ANALYZE_TOP = 3;
const ANALYZE_MAX_MEAN_MS = 1000;

/**
 * The statements with the most total time whose mean time is over the threshold, from
 * pg_stat_statements; without it in the database, one finding that says how to enable it.
 */
export const slowQueries: HealthCheck = {
  id: 'slow-queries',
  severity: 'warning',
  summary: "Statements whose mean time is over the threshold (default 100 ms), from pg_stat_statements: the top ones by total time (default 10), then the top ones by mean time not among them, each with its plan's insights (the first three, when they are SELECTs whose values pg_qualstats saw, run by EXPLAIN ANALYZE in the read-only transaction; the others planned only); a finding says how to enable pg_stat_statements when it is missing.",
  async run({ db, version, thresholds }) {
    // pg_settings hides shared_preload_libraries from roles without pg_read_all_settings: then it is not known.
    const { rows: ext } = await db.query<{ installed: boolean; preloaded: boolean | null }>(
      `select exists (select 1 from pg_extension where extname = 'pg_stat_statements') as installed,
              (select setting ~ 'pg_stat_statements' from pg_settings where name = 'shared_preload_libraries') as preloaded`,
    );
    if (!ext[0].installed || ext[0].preloaded === false) {
      return [
        {
          rule: 'slow-queries',
          severity: 'info',
          message: 'pg_stat_statements is not available in this database, so slow queries cannot be found',
          hint: `${ext[0].preloaded === true ? '' : `${ext[0].preloaded === false ? 'Add' : 'Make sure'} pg_stat_statements ${ext[0].preloaded === false ? 'to' : 'is in'} shared_preload_libraries (ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', then restart), and `}run CREATE EXTENSION pg_stat_statements; in this database.`,
        },
      ];
    }
    await loadParser();
    // The statements that take the most time in all, then those slowest on average that are not among them.
    const byTotal = await topStatements(db, version, 'total', thresholds.slowQueryTop, thresholds.slowQueryMs);
    const seen = new Set(byTotal.map((r) => r.queryid));
    const slow = [...byTotal, ...(await topStatements(db, version, 'mean', thresholds.slowQueryTop, thresholds.slowQueryMs)).filter((r) => !seen.has(r.queryid))];
    const findings = [];
    for (const [i, r] of slow.entries()) {
      const planned = await planRecordedStatement(db, version, r.queryid, r.stmt, { analyze: i < ANALYZE_TOP && r.meanMs <= ANALYZE_MAX_MEAN_MS });
      // A plan that could not be made is left out of the hint: a generic plan needs the parameters'
      // types, which some statements leave open (generate_series($1, $2)); that is not news.
      const insights = 'analysis' in planned ? planned.analysis.findings.filter((f) => f.severity !== 'info').slice(0, INSIGHTS_PER_QUERY) : [];
      const planNote =
        'analysis' in planned && insights.length
          ? `${planned.analyzed ? 'EXPLAIN ANALYZE' : 'Its plan'}${planned.params ? ' with the values pg_qualstats saw' : ''}: ${insights.map((f) => `${f.message} [${f.rule}]`).join('; ')}. `
          : '';
      findings.push({
        rule: 'slow-queries',
        severity: 'warning' as const,
        message: `${r.calls.toLocaleString('en-US')} calls at ${r.meanMs.toFixed(1)} ms on average (${(r.totalMs / 1000).toFixed(1)} s in all): ${r.query.replace(/\s+/g, ' ').trim().slice(0, 160)}`,
        object: `queryid ${r.queryid}`,
        hint: `${planNote}pgarch explain on the query shows where the time goes; pgarch advise indexes --database proposes the indexes that pay.`,
      });
    }
    return findings;
  },
};
