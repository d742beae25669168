import { quoteQualified } from '../../sql/quote.js';
import { size, type HealthCheck } from '../types.js';

/** Indexes never scanned since the statistics were reset, that back no constraint. */
export const unusedIndex: HealthCheck = {
  id: 'unused-index',
  severity: 'warning',
  summary: 'An index never scanned since the statistics were reset, backing no constraint: every write maintains it for nothing.',
  async run({ db, thresholds }) {
    const { rows } = await db.query<{ schema: string; index: string; table: string; bytes: string; reset: string | null }>(
      `select s.schemaname as schema, s.indexrelname as index, s.relname as table, (c.relpages::bigint * current_setting('block_size')::int)::text as bytes,
              (select stats_reset::text from pg_stat_database where datname = current_database()) as reset
         from pg_stat_user_indexes s
         join pg_index i on i.indexrelid = s.indexrelid
         join pg_class c on c.oid = s.indexrelid
        where s.idx_scan = 0 and not i.indisunique and not i.indisprimary and i.indisvalid
          and not exists (select 1 from pg_constraint k where k.conindid = s.indexrelid)
          and c.relpages::bigint * current_setting('block_size')::int >= $1
        order by c.relpages desc`,
      [thresholds.unusedIndexMinBytes],
    );
    return rows.map((r) => ({
      rule: 'unused-index',
      severity: 'warning',
      message: `Index ${r.schema}.${r.index} on ${r.schema}.${r.table} (${size(Number(r.bytes))}) was never scanned${r.reset ? ` since the statistics were reset (${r.reset})` : ''}`,
      object: `${r.schema}.${r.index}`,
      hint: 'These counts are this server\'s only: check replicas before dropping. Build it again CONCURRENTLY if a rare job needs it.',
      fix: { description: `drop ${r.index}`, sql: `DROP INDEX CONCURRENTLY ${quoteQualified(r.schema, r.index)};` },
    }));
  },
};
