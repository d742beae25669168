import { quoteQualified } from '../../sql/quote.js';
import type { HealthCheck } from '../types.js';

/** An index left invalid (a CREATE INDEX CONCURRENTLY that failed or was cancelled): maintained on every write, used by no query. */
export const invalidIndex: HealthCheck = {
  id: 'invalid-index',
  severity: 'error',
  summary: 'An invalid index (a failed or cancelled CREATE INDEX CONCURRENTLY): every write maintains it, no query can use it.',
  async run({ db }) {
    const { rows } = await db.query<{ schema: string; index: string; table: string }>(
      // pg_get_indexdef would wait behind a lock on the table: the names are enough.
      `select n.nspname as schema, c.relname as index, t.relname as table
         from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
         join pg_namespace n on n.oid = c.relnamespace
        where not i.indisvalid and n.nspname not in ('pg_catalog', 'information_schema')
        order by 1, 2`,
    );
    return rows.map((r) => ({
      rule: 'invalid-index',
      severity: 'error',
      message: `Index ${r.schema}.${r.index} on ${r.schema}.${r.table} is invalid: a CREATE INDEX CONCURRENTLY failed or was cancelled, and writes still maintain it`,
      object: `${r.schema}.${r.index}`,
      hint: 'Rebuild it (REINDEX INDEX CONCURRENTLY, PostgreSQL 12+), or drop it and create it again CONCURRENTLY.',
      fix: { description: `rebuild ${r.index}`, sql: `REINDEX INDEX CONCURRENTLY ${quoteQualified(r.schema, r.index)};` },
    }));
  },
};
