import type { HealthCheck } from '../types.js';

/**
 * The share of table and index block reads served from shared buffers, over the database since its
 * statistics were reset: under about 99% on an OLTP database, the working set does not fit in memory.
 */
export const cacheHitRatio: HealthCheck = {
  id: 'cache-hit-ratio',
  severity: 'warning',
  summary: 'Table and index block reads served from shared buffers below the threshold (default 99%): the working set does not fit in memory.',
  async run({ db, thresholds }) {
    const { rows } = await db.query<{ hit: string; read: string; buffers: string }>(
      `select (coalesce(sum(heap_blks_hit), 0) + coalesce(sum(idx_blks_hit), 0))::text as hit,
              (coalesce(sum(heap_blks_read), 0) + coalesce(sum(idx_blks_read), 0))::text as read,
              current_setting('shared_buffers') as buffers
         from pg_statio_user_tables`,
    );
    const hit = Number(rows[0].hit);
    const read = Number(rows[0].read);
    // Too few reads to say anything (a database just started or barely used).
    if (hit + read < thresholds.cacheMinBlocks) return [];
    const ratio = hit / (hit + read);
    if (ratio >= thresholds.cacheHitRatio) return [];
    return [
      {
        rule: 'cache-hit-ratio',
        severity: 'warning',
        message: `${(ratio * 100).toFixed(2)}% of table and index block reads came from shared buffers (${read.toLocaleString('en-US')} of ${(hit + read).toLocaleString('en-US')} from disk or the OS cache; shared_buffers ${rows[0].buffers})`,
        hint: 'Raise shared_buffers (about a quarter of the memory), add memory, or find the queries that read whole large tables (slow-queries, missing-index-candidate).',
      },
    ];
  },
};
