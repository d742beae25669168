// Upkeep of tables: autovacuum switched off, and tables that scans read whole again and again.
import { quoteQualified } from '../../sql/quote.js';
import type { HealthCheck } from '../types.js';

/** Autovacuum off for the server or for a table (reloptions): dead tuples and wraparound age pile up. */
export const autovacuumDisabled: HealthCheck = {
  id: 'autovacuum-disabled',
  severity: 'warning',
  summary: 'Autovacuum switched off, for the server or for a table (autovacuum_enabled = false): dead tuples and transaction-ID age pile up there.',
  async run({ db }) {
    const { rows } = await db.query<{ server: boolean; schema: string | null; table: string | null }>(
      `select (select setting = 'off' from pg_settings where name = 'autovacuum') as server, n.nspname as schema, c.relname as table
         from pg_settings s
         left join pg_class c on c.relkind in ('r', 'm', 'p') and c.reloptions @> array['autovacuum_enabled=false']
         left join pg_namespace n on n.oid = c.relnamespace
        where s.name = 'autovacuum'
        order by 2, 3`,
    );
    const out = [];
    if (rows[0]?.server) {
      out.push({ rule: 'autovacuum-disabled', severity: 'warning' as const, message: 'Autovacuum is off for the whole server', hint: "ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf(); — vacuuming by hand rarely keeps up." });
    }
    for (const r of rows) {
      if (!r.table || !r.schema) continue;
      out.push({
        rule: 'autovacuum-disabled',
        severity: 'warning' as const,
        message: `Autovacuum is switched off for table ${r.schema}.${r.table} (autovacuum_enabled = false)`,
        object: `${r.schema}.${r.table}`,
        hint: 'Even so, autovacuum still runs there to prevent wraparound, at the worst time. Turn it back on, and tune its thresholds for the table instead.',
        fix: { description: `enable autovacuum on ${r.table}`, sql: `ALTER TABLE ${quoteQualified(r.schema, r.table)} RESET (autovacuum_enabled);` },
      });
    }
    return out;
  },
};

/**
 * A large table read by many sequential scans and few index scans: a query filters it without an
 * index. `pgarch advise indexes --database` names which query and which index.
 */
export const missingIndexCandidate: HealthCheck = {
  id: 'missing-index-candidate',
  severity: 'warning',
  summary: 'A large table read by many sequential scans and few index scans: some query filters it without an index.',
  async run({ db, thresholds }) {
    const { rows } = await db.query<{ schema: string; table: string; seq: string; idx: string | null; rows: string; avg: string }>(
      `select s.schemaname as schema, s.relname as table, s.seq_scan::text as seq, s.idx_scan::text as idx, c.reltuples::bigint::text as rows,
              (s.seq_tup_read / greatest(s.seq_scan, 1))::bigint::text as avg
         from pg_stat_user_tables s join pg_class c on c.oid = s.relid
        where c.reltuples >= $1 and s.seq_scan >= $2 and s.seq_scan > 10 * coalesce(s.idx_scan, 0)
          and s.seq_tup_read / greatest(s.seq_scan, 1) >= $1
        order by s.seq_tup_read desc`,
      [thresholds.missingIndexMinRows, thresholds.missingIndexMinSeqScans],
    );
    return rows.map((r) => ({
      rule: 'missing-index-candidate',
      severity: 'warning' as const,
      message: `Table ${r.schema}.${r.table} (${Number(r.rows).toLocaleString('en-US')} rows) was read by ${Number(r.seq).toLocaleString('en-US')} sequential scans of ${Number(r.avg).toLocaleString('en-US')} rows on average, and ${Number(r.idx ?? 0).toLocaleString('en-US')} index scans`,
      object: `${r.schema}.${r.table}`,
      hint: 'pgarch advise indexes --database (workload from pg_stat_statements) finds the queries and the indexes that serve them.',
    }));
  },
};
