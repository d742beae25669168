// Server-wide headroom: connections against max_connections, and transaction-ID age against the
// wraparound limit.
import type { HealthCheck } from '../types.js';

export const connectionUsage: HealthCheck = {
  id: 'connection-usage',
  severity: 'warning',
  summary: 'Connections in use near max_connections (default threshold 80%).',
  async run({ db, thresholds }) {
    const { rows } = await db.query<{ used: number; max: number; reserved: number }>(
      `select (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as used,
              current_setting('max_connections')::int as max, current_setting('superuser_reserved_connections')::int as reserved`,
    );
    const r = rows[0];
    const usable = Math.max(r.max - r.reserved, 1);
    if (r.used / usable < thresholds.connectionUsage) return [];
    return [
      {
        rule: 'connection-usage',
        severity: 'warning',
        message: `${r.used} of ${usable} connections are in use (${Math.round((r.used / usable) * 100)}%; max_connections ${r.max}, ${r.reserved} reserved for superusers)`,
        hint: 'Put a pooler in front (PgBouncer in transaction mode), or find the idle sessions an application leaks.',
      },
    ];
  },
};

export const xidWraparound: HealthCheck = {
  id: 'xid-wraparound',
  severity: 'error',
  summary: 'A database whose oldest unfrozen transaction ID is far through the 2^31 wraparound limit: PostgreSQL stops taking writes before it.',
  async run({ db, thresholds }) {
    const { rows } = await db.query<{ datname: string; age: number }>(`select datname, age(datfrozenxid)::float8 as age from pg_database where datallowconn order by 2 desc`);
    const limit = 2 ** 31;
    return rows
      .filter((r) => r.age / limit >= thresholds.xidAge)
      .map((r) => ({
        rule: 'xid-wraparound',
        severity: 'error' as const,
        message: `Database ${r.datname} is ${r.age.toLocaleString('en-US')} transactions old, ${((r.age / limit) * 100).toFixed(0)}% of the way to wraparound`,
        object: r.datname,
        hint: 'Run VACUUM (FREEZE) on its oldest tables, and find what holds autovacuum back (long transactions, abandoned replication slots, prepared transactions).',
      }));
  },
};
