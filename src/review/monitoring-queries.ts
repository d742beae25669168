// The review's Monitoring part without a live database: the queries to run on one (read-only, any
// role with pg_monitor), the seed's four. `pgarch health --database URL` runs them and the rest.
export const MONITORING_QUERIES: ReadonlyArray<{ title: string; sql: string }> = [
  {
    title: 'Slowest statements (pg_stat_statements; PostgreSQL 13+ column names)',
    sql: `SELECT calls, round(mean_exec_time::numeric, 1) AS mean_ms, round(total_exec_time::numeric / 1000, 1) AS total_s, left(query, 120) AS query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC
LIMIT 20;`,
  },
  {
    title: 'Missing-index candidates: large tables read by sequential scans',
    sql: `SELECT schemaname, relname, seq_scan, idx_scan, seq_tup_read / greatest(seq_scan, 1) AS rows_per_scan
FROM pg_stat_user_tables
WHERE seq_scan > 10 * coalesce(idx_scan, 0) AND seq_tup_read / greatest(seq_scan, 1) > 10000
ORDER BY seq_tup_read DESC
LIMIT 20;`,
  },
  {
    title: 'Table sizes (with indexes and TOAST)',
    sql: `SELECT format('%I.%I', schemaname, relname) AS table_name, pg_size_pretty(pg_total_relation_size(relid)) AS total, n_live_tup, n_dead_tup
FROM pg_stat_user_tables
ORDER BY pg_total_relation_size(relid) DESC
LIMIT 20;`,
  },
  {
    title: 'Index usage: indexes never scanned, largest first',
    sql: `SELECT format('%I.%I', schemaname, indexrelname) AS index_name, relname AS table_name, idx_scan, pg_size_pretty(pg_relation_size(indexrelid)) AS size
FROM pg_stat_user_indexes
WHERE idx_scan = 0
ORDER BY pg_relation_size(indexrelid) DESC
LIMIT 20;`,
  },
];
