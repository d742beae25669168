import type { Finding } from '../../types.js';
import type { HealthCheck } from '../types.js';

interface TableActivity {
  schema: string;
  table: string;
  rows: number;
  /** Rows inserted, updated or deleted since the last ANALYZE. */
  changed: number;
  /** PG 13+: rows inserted since the last VACUUM (null before 13). */
  inserted: number | null;
  /** Rows written since the statistics were reset. */
  written: number;
  vacuumed: string | null;
  analyzed: string | null;
  /** Seconds since then (null: never). */
  sinceVacuum: number | null;
  sinceAnalyze: number | null;
  fix: string;
}

/**
 * A table autovacuum has fallen behind on: many rows changed since its last ANALYZE (the planner's row
 * estimates are stale), many inserted since its last VACUUM (PG 13+: the visibility map is not set, so
 * index-only scans read the heap, and the rows are not frozen), or written to and never vacuumed nor
 * analyzed at all.
 */
export const vacuumStale: HealthCheck = {
  id: 'vacuum-stale',
  severity: 'warning',
  summary:
    'A table with many rows changed since its last (auto)analyze, or inserted since its last (auto)vacuum (PG 13+), more than an hour ago, or written to and never vacuumed nor analyzed: autovacuum is not keeping up, so the planner works from stale statistics.',
  async run({ db, version, thresholds }) {
    const { rows } = await db.query<TableActivity>(
      `select s.schemaname as schema, s.relname as table,
              greatest(c.reltuples, s.n_live_tup, 0)::float8 as rows, s.n_mod_since_analyze::float8 as changed,
              ${version >= 130000 ? 's.n_ins_since_vacuum::float8' : 'null::float8'} as inserted,
              (s.n_tup_ins + s.n_tup_upd + s.n_tup_del)::float8 as written,
              greatest(s.last_vacuum, s.last_autovacuum)::text as vacuumed, greatest(s.last_analyze, s.last_autoanalyze)::text as analyzed,
              extract(epoch from now() - greatest(s.last_vacuum, s.last_autovacuum))::float8 as "sinceVacuum",
              extract(epoch from now() - greatest(s.last_analyze, s.last_autoanalyze))::float8 as "sinceAnalyze",
              format('VACUUM (ANALYZE) %I.%I;', s.schemaname, s.relname) as fix
         from pg_stat_user_tables s join pg_class c on c.oid = s.relid
        -- partitioned tables have no rows of their own, and autovacuum never processes them
        where c.relkind in ('r', 'm')
        order by greatest(s.n_mod_since_analyze, ${version >= 130000 ? 's.n_ins_since_vacuum' : '0'}) desc, 1, 2`,
    );
    // A busy table (a queue, say) changes a lot between two autovacuum runs: only a table whose last run
    // is older than vacuumStaleSeconds, or that never had one, counts as left behind.
    const many = (n: number | null, rows: number, since: number | null) =>
      n !== null && n >= thresholds.vacuumStaleMinChanges && n >= thresholds.vacuumStaleRatio * rows && (since === null || since >= thresholds.vacuumStaleSeconds);
    const out: Finding[] = [];
    for (const r of rows) {
      const never = r.vacuumed === null && r.analyzed === null && r.written >= thresholds.vacuumStaleMinChanges;
      const staleStats = many(r.changed, r.rows, r.sinceAnalyze);
      const unvacuumedInserts = many(r.inserted, r.rows, r.sinceVacuum);
      if (!never && !staleStats && !unvacuumedInserts) continue;
      const share = (n: number) => (r.rows > 0 ? `, ${Math.round((n / r.rows) * 100)}% of its ${fmt(r.rows)} rows` : '');
      const parts: string[] = [];
      if (staleStats || never) parts.push(`${fmt(r.changed)} rows changed since its last analyze (${r.analyzed ?? 'never'}${share(r.changed)})`);
      if (unvacuumedInserts) parts.push(`${fmt(r.inserted!)} rows inserted since its last vacuum (${r.vacuumed ?? 'never'}${share(r.inserted!)})`);
      else if (never) parts.push('never vacuumed');
      out.push({
        rule: 'vacuum-stale',
        severity: 'warning',
        message: `Table ${r.schema}.${r.table}: ${parts.join('; ')}`,
        object: `${r.schema}.${r.table}`,
        hint: `Autovacuum analyzes a table after ~10% of its rows change and vacuums it after ~20% are inserted (autovacuum_analyze_scale_factor, autovacuum_vacuum_insert_scale_factor): check it is on for the table (autovacuum-disabled) and keeping up (autovacuum_max_workers, autovacuum_naptime, long transactions), or lower the scale factors for this table.${never ? ' "Never" also follows a statistics reset (pg_stat_reset).' : ''}`,
        fix: { description: `vacuum and analyze ${r.table}`, sql: r.fix },
      });
    }
    return out;
  },
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
