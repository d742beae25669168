// Server-wide headroom: connections against max_connections, and transaction-ID and multixact-ID age
// against the wraparound limit.
import type { Finding } from '../../types.js';
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

/** Tables of this database named per run: past that, the database's finding is what matters. */
const OLDEST_TABLES = 10;

/**
 * Multixact IDs (row locks shared by several transactions: foreign-key checks, SELECT FOR SHARE) wrap
 * around at 2^31 like transaction IDs, and PostgreSQL stops assigning them before. Reported for every
 * database whose oldest multixact (datminmxid) is far through the range, and for this database's
 * oldest user tables (relminmxid, the table's or its TOAST table's), which a VACUUM (FREEZE) brings back
 * (system catalogs are rarely row-locked by several transactions; the database's finding covers them).
 */
export const multixactWraparound: HealthCheck = {
  id: 'multixact-wraparound',
  severity: 'error',
  summary: 'A database or table whose oldest multixact ID (row locks shared by several transactions) is far through the 2^31 wraparound limit: PostgreSQL stops taking writes before it.',
  async run({ db, thresholds }) {
    const limit = 2 ** 31;
    const { rows: databases } = await db.query<{ datname: string; age: number }>(
      `select datname, mxid_age(datminmxid)::float8 as age from pg_database where datallowconn order by 2 desc, 1`,
    );
    const { rows: tables } = await db.query<{ object: string; age: number; fix: string }>(
      // relminmxid is 0 (invalid) for relations without storage; mxid_age reads that as infinitely old.
      `select format('%s.%s', n.nspname, c.relname) as object, t.age, format('VACUUM (FREEZE) %I.%I;', n.nspname, c.relname) as fix
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         left join pg_class toast on toast.oid = c.reltoastrelid
         cross join lateral (select greatest(case when c.relminmxid::text <> '0' then mxid_age(c.relminmxid) end,
                                             case when toast.relminmxid::text <> '0' then mxid_age(toast.relminmxid) end)::float8 as age) t
        where c.relkind in ('r', 'm') and c.relpersistence <> 't' and n.nspname not in ('pg_catalog', 'information_schema') and t.age >= $1
        order by t.age desc, 1 limit $2`,
      [thresholds.multixactAge * limit, OLDEST_TABLES],
    );
    const pct = (age: number) => `${((age / limit) * 100).toFixed(age / limit < 0.01 ? 4 : 0)}%`;
    const out: Finding[] = [];
    for (const r of databases) {
      if (r.age / limit < thresholds.multixactAge) continue;
      out.push({
        rule: 'multixact-wraparound',
        severity: 'error',
        message: `Database ${r.datname} is ${r.age.toLocaleString('en-US')} multixacts old, ${pct(r.age)} of the way to multixact wraparound`,
        object: r.datname,
        hint: 'Run VACUUM (FREEZE) on its oldest tables (autovacuum_multixact_freeze_max_age makes autovacuum do it too), and find what holds vacuum back: long transactions, abandoned replication slots, prepared transactions.',
      });
    }
    for (const r of tables) {
      out.push({
        rule: 'multixact-wraparound',
        severity: 'error',
        message: `Table ${r.object} is ${r.age.toLocaleString('en-US')} multixacts old (relminmxid), ${pct(r.age)} of the way to multixact wraparound`,
        object: r.object,
        hint: 'VACUUM (FREEZE) replaces its old multixacts and moves relminmxid forward; it takes no lock that blocks reads or writes.',
        fix: { description: 'freeze the table', sql: r.fix },
      });
    }
    return out;
  },
};
