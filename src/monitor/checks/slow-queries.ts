import { applicationStatement, statementTimeColumns } from '../../advise/workload.js';
import { loadParser } from '../../sql/parse.js';
import type { HealthCheck } from '../types.js';

/**
 * The statements with the most total time whose mean time is over the threshold, from
 * pg_stat_statements; without it in the database, one finding that says how to enable it.
 */
export const slowQueries: HealthCheck = {
  id: 'slow-queries',
  severity: 'warning',
  summary: 'Statements whose mean time is over the threshold (default 100 ms), the most total time first, from pg_stat_statements; a finding says how to enable it when it is missing.',
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
    const { total, mean } = statementTimeColumns(version);
    const { rows } = await db.query<{ query: string; calls: string; mean: number; total: number }>(
      `select query, calls::text as calls, ${mean}::float8 as mean, ${total}::float8 as total
         from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database()) and ${mean} >= $1
        order by ${total} desc limit $2`,
      // Utility statements (VACUUM, CREATE INDEX …) and catalog reads are counted too, and dropped below.
      [thresholds.slowQueryMs, thresholds.slowQueryTop * 4],
    );
    await loadParser();
    const queries = rows.filter((r) => applicationStatement(r.query) !== undefined);
    return queries.slice(0, thresholds.slowQueryTop).map((r) => ({
      rule: 'slow-queries',
      severity: 'warning' as const,
      message: `${Number(r.calls).toLocaleString('en-US')} calls at ${r.mean.toFixed(1)} ms on average (${(r.total / 1000).toFixed(1)} s in all): ${r.query.replace(/\s+/g, ' ').trim().slice(0, 160)}`,
      hint: 'pgarch explain on the query shows where the time goes; pgarch advise indexes --database proposes the indexes that pay.',
    }));
  },
};
