// The dashboard's pages as data: one fixed, read-only query (or a few) per page. Nothing from a request
// reaches SQL except as a bound parameter. Sizes come from the catalog's page counts (relpages, as of the
// last VACUUM/ANALYZE/CREATE INDEX) and pg_database_size, which take no lock on a table, so that the
// pages still load while a migration holds ACCESS EXCLUSIVE on one.
import { topStatements, type RecordedStatement } from '../../advise/workload.js';
import { extensionInstalled } from '../../engine/extensions.js';
import type { Queryable } from '../../engine/types.js';
import { loadParser } from '../../sql/parse.js';

export interface StatementRow {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  /** Share of the blocks it read that were in shared buffers. */
  hitRatio: number | null;
}

export interface QueriesView {
  available: boolean;
  /** How to enable pg_stat_statements when it is not. */
  hint?: string;
  byTotal: StatementRow[];
  byMean: StatementRow[];
}

const TOP = 20;

export async function queriesView(db: Queryable, version: number): Promise<QueriesView> {
  if (!(await extensionInstalled(db, 'pg_stat_statements'))) {
    return { available: false, hint: "pg_stat_statements is not in this database: add it to shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements;", byTotal: [], byMean: [] };
  }
  const view = (rows: RecordedStatement[]) =>
    rows.map((r): StatementRow => {
      const blocks = r.blocksHit + r.blocksRead;
      return { queryid: r.queryid, query: r.query, calls: r.calls, totalMs: r.totalMs, meanMs: r.meanMs, rows: r.rows, hitRatio: blocks ? r.blocksHit / blocks : null };
    });
  await loadParser();
  return { available: true, byTotal: view(await topStatements(db, version, 'total', TOP)), byMean: view(await topStatements(db, version, 'mean', TOP)) };
}

export interface SessionRow {
  pid: number;
  user: string | null;
  application: string | null;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  /** Seconds since the transaction, and the query, started. */
  xactSeconds: number | null;
  querySeconds: number | null;
  query: string;
  blockedBy: number[];
  /** The relation it waits to lock, when it waits on one. */
  waitingOn: string | null;
  /** Relation locks it holds: "orders AccessExclusiveLock". */
  holds: string[];
}

/** Sessions of this database with what blocks them (pg_blocking_pids); the page draws the tree. */
export async function locksView(db: Queryable): Promise<{ sessions: SessionRow[] }> {
  const { rows } = await db.query<SessionRow>(
    `select a.pid, a.usename as "user", a.application_name as application, a.state,
            a.wait_event_type as "waitEventType", a.wait_event as "waitEvent",
            extract(epoch from now() - a.xact_start)::float8 as "xactSeconds",
            extract(epoch from now() - a.query_start)::float8 as "querySeconds",
            left(a.query, 500) as query, pg_blocking_pids(a.pid) as "blockedBy",
            (select l.relation::regclass::text from pg_locks l
              where l.pid = a.pid and not l.granted and l.locktype = 'relation' limit 1) as "waitingOn",
            coalesce((select array_agg(l.relation::regclass::text || ' ' || l.mode order by l.relation::regclass::text)
                        from pg_locks l
                       where l.pid = a.pid and l.granted and l.locktype = 'relation'
                         and l.database = (select oid from pg_database where datname = current_database())
                         and l.relation >= 16384), '{}') as holds
       from pg_stat_activity a
      where a.datname = current_database() and a.pid <> pg_backend_pid() and a.backend_type = 'client backend'
      order by a.pid`,
  );
  return { sessions: rows };
}

export interface RelationSize {
  name: string;
  kind: 'table' | 'index';
  /** The table an index is on. */
  table?: string;
  bytes: number;
  rows: number;
}

export interface SpaceView {
  databaseBytes: number;
  tables: RelationSize[];
  indexes: RelationSize[];
}

const SPACE_TOP = 25;

export async function spaceView(db: Queryable): Promise<SpaceView> {
  const { rows: dbRows } = await db.query<{ bytes: string }>('select pg_database_size(current_database())::text as bytes');
  const { rows } = await db.query<{ name: string; kind: 'table' | 'index'; table: string | null; bytes: string; rows: string }>(
    `with rel as (
       select c.oid, format('%I.%I', n.nspname, c.relname) as name, c.relkind, c.reltuples,
              c.relpages::bigint * current_setting('block_size')::bigint
                + coalesce((select t.relpages::bigint from pg_class t where t.oid = c.reltoastrelid), 0) * current_setting('block_size')::bigint as bytes
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'm', 'i') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast')
     (select name, 'table' as kind, null as "table", bytes::text, greatest(reltuples, 0)::bigint::text as rows
        from rel where relkind in ('r', 'm') order by rel.bytes desc, rel.name limit $1)
     union all
     (select r.name, 'index', format('%I.%I', tn.nspname, t.relname), r.bytes::text, greatest(r.reltuples, 0)::bigint::text
        from rel r join pg_index i on i.indexrelid = r.oid join pg_class t on t.oid = i.indrelid join pg_namespace tn on tn.oid = t.relnamespace
       where r.relkind = 'i' order by r.bytes desc, r.name limit $1)`,
    [SPACE_TOP],
  );
  const sizes = rows.map((r): RelationSize => ({ name: r.name, kind: r.kind, ...(r.table ? { table: r.table } : {}), bytes: Number(r.bytes), rows: Number(r.rows) }));
  return { databaseBytes: Number(dbRows[0].bytes), tables: sizes.filter((s) => s.kind === 'table'), indexes: sizes.filter((s) => s.kind === 'index') };
}

export interface MaintenanceRow {
  table: string;
  liveTuples: number;
  deadTuples: number;
  modifiedSinceAnalyze: number;
  lastVacuum: string | null;
  lastAnalyze: string | null;
  xidAge: number;
  multixactAge: number;
  autovacuumEnabled: boolean;
}

export interface MaintenanceView {
  autovacuum: boolean;
  /** Transaction-ID and multixact ages of the database, and the limit they count towards. */
  xidAge: number;
  multixactAge: number;
  wraparoundLimit: number;
  tables: MaintenanceRow[];
}

export async function maintenanceView(db: Queryable): Promise<MaintenanceView> {
  const { rows: dbRows } = await db.query<{ autovacuum: boolean; xid: number; mxid: number }>(
    `select current_setting('autovacuum')::bool as autovacuum, age(datfrozenxid) as xid, mxid_age(datminmxid) as mxid
       from pg_database where datname = current_database()`,
  );
  const { rows } = await db.query<{ table: string; live: string; dead: string; mod: string; vacuum: Date | null; analyze: Date | null; xid: number; mxid: number; enabled: boolean }>(
    `select format('%I.%I', s.schemaname, s.relname) as table, s.n_live_tup::text as live, s.n_dead_tup::text as dead,
            s.n_mod_since_analyze::text as mod, greatest(s.last_vacuum, s.last_autovacuum) as vacuum,
            greatest(s.last_analyze, s.last_autoanalyze) as analyze, age(c.relfrozenxid) as xid, mxid_age(c.relminmxid) as mxid,
            coalesce((select option_value::bool from pg_options_to_table(c.reloptions) where option_name = 'autovacuum_enabled'), true) as enabled
       from pg_stat_user_tables s join pg_class c on c.oid = s.relid
      order by s.n_dead_tup desc, age(c.relfrozenxid) desc, 1 limit 50`,
  );
  return {
    autovacuum: dbRows[0].autovacuum,
    xidAge: dbRows[0].xid,
    multixactAge: dbRows[0].mxid,
    wraparoundLimit: 2 ** 31,
    tables: rows.map((r) => ({
      table: r.table,
      liveTuples: Number(r.live),
      deadTuples: Number(r.dead),
      modifiedSinceAnalyze: Number(r.mod),
      lastVacuum: r.vacuum ? r.vacuum.toISOString() : null,
      lastAnalyze: r.analyze ? r.analyze.toISOString() : null,
      xidAge: r.xid,
      multixactAge: r.mxid,
      autovacuumEnabled: r.enabled,
    })),
  };
}

export interface IndexRow {
  name: string;
  table: string;
  bytes: number;
  scans: number;
  valid: boolean;
  unique: boolean;
  primary: boolean;
  /** Null while another session holds ACCESS EXCLUSIVE on the index or its table (then `lockedBy`). */
  definition: string | null;
  lockedBy: number | null;
}

/**
 * Every index with its size and scans. pg_get_indexdef would wait behind an ACCESS EXCLUSIVE lock on
 * the index or its table, so the definitions of those held now are left out and the holder named; a
 * lock taken between the two reads meets the caller's lock_timeout instead (a lock-wait).
 */
export async function indexesView(db: Queryable): Promise<{ indexes: IndexRow[] }> {
  const { rows } = await db.query<{ name: string; table: string; bytes: string; scans: string; valid: boolean; unique: boolean; primary: boolean; definition: string | null; lockedBy: number | null }>(
    `with held as (
       select l.relation, min(l.pid) as pid from pg_locks l
        where l.locktype = 'relation' and l.granted and l.mode = 'AccessExclusiveLock' and l.pid <> pg_backend_pid()
          and l.database = (select oid from pg_database where datname = current_database())
        group by l.relation)
     select format('%I.%I', s.schemaname, s.indexrelname) as name, format('%I.%I', s.schemaname, s.relname) as table,
            (c.relpages::bigint * current_setting('block_size')::bigint)::text as bytes, s.idx_scan::text as scans,
            i.indisvalid as valid, i.indisunique as unique, i.indisprimary as primary,
            case when h.pid is null then pg_get_indexdef(i.indexrelid) end as definition, h.pid as "lockedBy"
       from pg_stat_user_indexes s join pg_index i on i.indexrelid = s.indexrelid join pg_class c on c.oid = s.indexrelid
       left join lateral (select min(pid) as pid from held where held.relation in (i.indexrelid, i.indrelid)) h on true
      order by c.relpages desc, 1 limit 200`,
  );
  return { indexes: rows.map((r) => ({ ...r, bytes: Number(r.bytes), scans: Number(r.scans) })) };
}
