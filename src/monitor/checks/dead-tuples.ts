import { quoteQualified } from '../../sql/quote.js';
import type { HealthCheck } from '../types.js';

/** A table whose dead tuples are a large share of its rows: autovacuum is not keeping up (or is held back). */
export const deadTuples: HealthCheck = {
  id: 'dead-tuples',
  severity: 'warning',
  summary: 'A table whose dead tuples are a large share of its rows: scans read them, and autovacuum is not keeping up or is held back.',
  async run({ db, thresholds }) {
    const { rows } = await db.query<{ schema: string; table: string; dead: string; live: string; vacuumed: string | null }>(
      `select schemaname as schema, relname as table, n_dead_tup::text as dead, n_live_tup::text as live,
              greatest(last_vacuum, last_autovacuum)::text as vacuumed
         from pg_stat_user_tables
        where n_dead_tup >= $1 and n_dead_tup::float8 / greatest(n_live_tup + n_dead_tup, 1) >= $2
        order by n_dead_tup desc`,
      [thresholds.deadTupleMin, thresholds.deadTupleRatio],
    );
    return rows.map((r) => {
      const dead = Number(r.dead);
      const ratio = dead / Math.max(dead + Number(r.live), 1);
      return {
        rule: 'dead-tuples',
        severity: 'warning' as const,
        message: `Table ${r.schema}.${r.table} holds ${dead.toLocaleString('en-US')} dead tuples, ${(ratio * 100).toFixed(0)}% of its rows (last vacuum: ${r.vacuumed ?? 'never'})`,
        object: `${r.schema}.${r.table}`,
        hint: 'VACUUM it; if autovacuum keeps falling behind, lower autovacuum_vacuum_scale_factor for the table, and look for long transactions holding the xmin horizon back.',
        fix: { description: `vacuum ${r.table}`, sql: `VACUUM (ANALYZE) ${quoteQualified(r.schema, r.table)};` },
      };
    });
  },
};
