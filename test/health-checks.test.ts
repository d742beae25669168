// The health checks of vacuum, wraparound, replication, bloat and settings, on the real server: each
// planted problem reported by its id and object — a table changed and never vacuumed nor analyzed, a
// table and its btree indexes with 90% of their rows deleted (analyzed, not vacuumed) while a freshly
// built twin gets no bloat finding, an inactive physical replication slot, a multixact, memory settings
// against a given machine's memory — run as the database's owner and as a role granted only pg_monitor.
// Their thresholds come from the config file, whose mistakes are one clear line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { connectionHost, isLocalConnection } from '../src/engine/conninfo.js';
import { openEngine } from '../src/engine/index.js';
import { btreePagesNeeded, heapPagesNeeded, type ColumnLayout } from '../src/monitor/checks/bloat.js';
import { healthChecks } from '../src/monitor/checks/index.js';
import { replicationLag } from '../src/monitor/checks/replication.js';
import { machineMemory, settingReview } from '../src/monitor/checks/settings.js';
import { runHealth } from '../src/monitor/run.js';
import { DEFAULT_THRESHOLDS, type HealthThresholds } from '../src/monitor/types.js';
import { allRules } from '../src/rules/registry.js';
import type { Queryable } from '../src/engine/types.js';
import type { Report } from '../src/types.js';
import { pgarch } from './helpers/cli.js';
import { ownDatabase } from './helpers/own-database.js';
import { describeServer, SERVER_URL } from './helpers/server.js';

const byRule = (report: Report, rule: string) => report.findings.filter((f) => f.rule === rule);
const objects = (report: Report, rule: string) => byRule(report, rule).map((f) => f.object);

/** Wait until `ready` holds (statistics reach their views up to a second late); fails after 10 s. */
async function until(what: string, ready: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Cluster-wide setup and cleanup (replication slots, roles) as the superuser, outside any test database. */
async function admin(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

// Small enough for the planted tables (about 13 MB each) to be judged; the ratios stay the defaults.
const SMALL: Partial<HealthThresholds> = { tableBloatMinBytes: 1024 ** 2, indexBloatMinBytes: 1024 ** 2 };

describeServer('pgarch health: vacuum, wraparound, replication, bloat and settings on the server', () => {
  const db = ownDatabase('pgarch_hchecks');
  const slot = `pgarch_hchecks_${process.pid}`;
  const monitor = `pgarch_hchecks_mon_${process.pid}`;
  const monitorUrl = new URL(db.url);
  monitorUrl.username = monitor;
  let report: Report;
  let monitored: Report;

  beforeAll(async () => {
    await db.create();
    await db.run(`
      create table stale (id int, v int) with (autovacuum_enabled = false);
      insert into stale select g, g from generate_series(1, 30000) g;
      update stale set v = v + 1 where id <= 10000;
      create table bloated (id int primary key, payload text) with (autovacuum_enabled = false);
      insert into bloated select g, repeat(md5(g::text), 3) from generate_series(1, 100000) g;
      create index bloated_payload_idx on bloated (payload);
      delete from bloated where id % 10 <> 0;
      create table fresh (id int primary key, payload text) with (autovacuum_enabled = false);
      insert into fresh select g, repeat(md5(g::text), 3) from generate_series(1, 100000) g;
      create index fresh_payload_idx on fresh (payload);
      create table mx (id int primary key);
      insert into mx values (1);
      create table busy (id int primary key, v int) with (autovacuum_enabled = false);
      insert into busy select g, 0 from generate_series(1, 20000) g;
    `);
    // The session's counts reach pg_stat_user_tables when it ends, a moment later: ANALYZE and VACUUM
    // before then would see them land after their reset.
    await until('the writes to be counted', async () => {
      const rows = await db.run(`select relname, n_tup_ins::int as ins, n_tup_del::int as del from pg_stat_user_tables where relname in ('stale', 'bloated', 'fresh')`);
      return rows.length === 3 && rows.every((r) => r.ins === (r.relname === 'stale' ? 30000 : 100000)) && rows.find((r) => r.relname === 'bloated')?.del === 90000;
    });
    // The deleted rows are still there: ANALYZE counts the live ones, and no VACUUM has run.
    await db.run('analyze bloated');
    await db.run('vacuum (analyze) fresh');
    await until('the vacuum to be counted', async () => (await db.run(`select n_ins_since_vacuum::int as n from pg_stat_user_tables where relname = 'fresh'`))[0].n === 0);
    // Vacuumed and analyzed a moment ago, then every row changed: autovacuum has had no time to catch up.
    await until('the inserts to be counted', async () => (await db.run(`select n_tup_ins::int as n from pg_stat_user_tables where relname = 'busy'`))[0].n === 20000);
    await db.run('vacuum (analyze) busy');
    await db.run('update busy set v = 1');
    await until('the update to be counted', async () => (await db.run(`select n_mod_since_analyze::int as n from pg_stat_user_tables where relname = 'busy'`))[0].n === 20000);

    // Two sessions sharing a row lock make a multixact.
    const sharers = [new pg.Client({ connectionString: db.url }), new pg.Client({ connectionString: db.url })];
    for (const c of sharers) await c.connect();
    try {
      for (const c of sharers) await c.query('begin; select * from mx for share');
      for (const c of sharers) await c.query('commit');
    } finally {
      for (const c of sharers) await c.end();
    }

    // Cluster-wide, so named for this worker and dropped in afterAll whatever happens.
    await admin('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [slot]);
    await admin('select pg_create_physical_replication_slot($1, true)', [slot]);
    await admin(`create role ${monitor} login in role pg_monitor`);

    report = await runHealth({ database: db.url, thresholds: SMALL });
    monitored = await runHealth({ database: monitorUrl.toString(), thresholds: SMALL });
  }, 120_000);

  afterAll(async () => {
    await admin('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [slot]).catch(() => {});
    await db.drop();
    await admin(`drop role if exists ${monitor}`).catch(() => {});
  });

  it('reports the table changed and never vacuumed nor analyzed, with its VACUUM (ANALYZE)', () => {
    const stale = byRule(report, 'vacuum-stale').find((f) => f.object === 'public.stale');
    expect(stale).toMatchObject({ severity: 'warning', fix: { sql: 'VACUUM (ANALYZE) public.stale;' } });
    expect(stale?.message).toMatch(/40,000 rows changed since its last analyze \(never, 133% of its 30,000 rows\); 30,000 rows inserted since its last vacuum \(never/);
    // Just vacuumed and analyzed: nothing to say.
    expect(objects(report, 'vacuum-stale')).not.toContain('public.fresh');
  });

  it('gives autovacuum vacuumStaleSeconds to catch up on a table analyzed a moment ago', async () => {
    expect(objects(report, 'vacuum-stale')).not.toContain('public.busy');
    const impatient = await runHealth({ database: db.url, thresholds: { vacuumStaleSeconds: 0 }, checks: healthChecks.filter((c) => c.id === 'vacuum-stale') });
    expect(byRule(impatient, 'vacuum-stale').find((f) => f.object === 'public.busy')?.message).toMatch(/^Table public\.busy: 20,000 rows changed since its last analyze \(\d{4}-.*, 100% of its 20,000 rows\)$/);
  });

  it('estimates the bloat of the table and its btree indexes that lost 90% of their rows', () => {
    const table = byRule(report, 'table-bloat').find((f) => f.object === 'public.bloated');
    expect(table).toMatchObject({ severity: 'warning', fix: { sql: 'VACUUM FULL public.bloated;' } });
    expect(table?.message).toMatch(/^Table public\.bloated is 12\.\d MB, of which about 11\.\d MB \((89|90|91)%\) its 10,000 live rows do not need/);
    const indexes = byRule(report, 'index-bloat').filter((f) => f.object?.startsWith('public.bloated'));
    expect(indexes.map((f) => f.object).sort()).toEqual(['public.bloated_payload_idx', 'public.bloated_pkey']);
    expect(indexes.find((f) => f.object === 'public.bloated_payload_idx')).toMatchObject({ fix: { sql: 'REINDEX INDEX CONCURRENTLY public.bloated_payload_idx;' }, message: expect.stringMatching(/\((89|90|91)%\) its 10,000 entries do not need/) });
  });

  it('finds no bloat in the freshly built table and indexes, even at a 20% threshold', async () => {
    const strict = await runHealth({ database: db.url, thresholds: { ...SMALL, tableBloatRatio: 0.2, indexBloatRatio: 0.2 }, checks: healthChecks.filter((c) => c.id.endsWith('-bloat')) });
    expect(strict.findings.filter((f) => f.object?.startsWith('public.fresh'))).toEqual([]);
    expect(objects(strict, 'table-bloat')).toContain('public.bloated');
    // At the default 100 MB minimum, relations of 13 MB are not worth a rewrite.
    expect(byRule(report, 'table-bloat').length).toBeGreaterThan(0);
    const defaults = await runHealth({ database: db.url, checks: healthChecks.filter((c) => c.id.endsWith('-bloat')) });
    expect(defaults.findings.filter((f) => f.object?.startsWith('public.'))).toEqual([]);
  });

  it('reports the inactive physical replication slot, with the drop', () => {
    const found = byRule(report, 'inactive-replication-slot').find((f) => f.object === slot);
    expect(found).toMatchObject({ severity: 'warning', fix: { sql: `SELECT pg_drop_replication_slot('${slot}');` } });
    expect(found?.message).toMatch(new RegExp(`^Replication slot ${slot} \\(physical\\) is not in use: it keeps [\\d.]+ (kB|MB|GB) of WAL`));
  });

  it('says nothing of replication lag without replicas', async () => {
    const [{ replicas }] = await admin('select count(*)::int as replicas from pg_stat_replication');
    if (replicas === 0) expect(byRule(report, 'replication-lag')).toEqual([]);
  });

  it('reports no multixact age on a healthy database, and the database and its table at a tiny threshold', async () => {
    expect(byRule(report, 'multixact-wraparound')).toEqual([]);
    // One multixact made since the database (from template1) and the table were created: age ≥ 1.
    const strict = await runHealth({ database: db.url, thresholds: { multixactAge: 1e-10 }, checks: healthChecks.filter((c) => c.id === 'multixact-wraparound') });
    expect(objects(strict, 'multixact-wraparound')).toEqual(expect.arrayContaining([db.name, 'public.mx']));
    expect(byRule(strict, 'multixact-wraparound').find((f) => f.object === 'public.mx')).toMatchObject({ severity: 'error', fix: { sql: 'VACUUM (FREEZE) public.mx;' } });
  });

  it('reviews memory settings against the machine memory it is given, saying which figure it used', async () => {
    const [{ shared }] = await db.run(`select pg_size_bytes(current_setting('shared_buffers'))::float8 as shared`);
    // shared_buffers as 1/512 of the memory (128 MB of 64 GB): far under the usual 25%.
    const big = await runHealth({ database: db.url, thresholds: { machineMemoryBytes: shared * 512 }, checks: [settingReview] });
    const sb = byRule(big, 'setting-review').find((f) => f.object === 'shared_buffers');
    expect(sb).toMatchObject({ severity: 'info', fix: { sql: expect.stringMatching(/^ALTER SYSTEM SET shared_buffers = '\d+(MB|GB)';$/) } });
    expect(sb?.message).toMatch(/of the [\d.]+ GB of memory \(machineMemoryBytes\)/);
    // shared_buffers as 2/3 of the memory: a warning, and work_mem × connections cannot fit either.
    const small = await runHealth({ database: db.url, thresholds: { machineMemoryBytes: shared * 1.5 }, checks: [settingReview] });
    expect(byRule(small, 'setting-review').filter((f) => f.severity === 'warning').map((f) => f.object).sort()).toEqual(['shared_buffers', 'work_mem']);
    // Without the figure, over 127.0.0.1 the memory is this machine's.
    for (const f of byRule(report, 'setting-review')) expect(f.message).toContain("this machine's, os.totalmem()");
  });

  it('without a memory figure, names only the settings left at their built-in values', async () => {
    const engine = await openEngine({ database: db.url, readOnly: true });
    try {
      const found = await settingReview.run({ db: engine, version: (await engine.version()).num, thresholds: DEFAULT_THRESHOLDS, localHost: false });
      const builtIn = (await engine.query<{ name: string }>(`select name from pg_settings where name in ('shared_buffers', 'effective_cache_size') and setting = boot_val order by name`)).rows.map((r) => r.name);
      expect(found.map((f) => f.object)).toEqual(builtIn);
      for (const f of found) expect(f).toMatchObject({ severity: 'info', message: expect.stringContaining('memory unknown') });
    } finally {
      await engine.close();
    }
  });

  it('runs every check as a role granted only pg_monitor, without a failure', () => {
    expect(byRule(monitored, 'rule-error')).toEqual([]);
    expect(byRule(monitored, 'lock-wait')).toEqual([]);
    expect(objects(monitored, 'vacuum-stale')).toContain('public.stale');
    expect(objects(monitored, 'inactive-replication-slot')).toContain(slot);
    // pg_stats shows it no column it may not SELECT: the bloat is unknown, and it says so.
    for (const rule of ['table-bloat', 'index-bloat']) {
      expect(byRule(monitored, rule).map((f) => f.severity)).toEqual(['info']);
      expect(byRule(monitored, rule)[0].message).toMatch(/^Bloat was not estimated for \d+ (table|index)(es|s)? .*this role may not read their column statistics/);
    }
    expect(monitored.summary.checks).toBe(healthChecks.length);
  });

  it('says nothing else is wrong with what is healthy, as the owner', () => {
    expect(byRule(report, 'rule-error')).toEqual([]);
    expect(byRule(report, 'xid-wraparound')).toEqual([]);
  });

  it('reads its thresholds from the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-health-'));
    writeFileSync(join(dir, 'pgarch.config.json'), JSON.stringify({ health: { thresholds: { multixactAge: 1e-10, ...SMALL } } }));
    const config = loadConfig(undefined, dir);
    expect(config.health.thresholds).toEqual({ multixactAge: 1e-10, ...SMALL });
    const configured = await runHealth({ database: db.url, config, checks: healthChecks.filter((c) => c.id === 'multixact-wraparound' || c.id === 'table-bloat') });
    expect(objects(configured, 'multixact-wraparound')).toContain('public.mx');
    expect(objects(configured, 'table-bloat')).toContain('public.bloated');
    // A threshold given to runHealth itself wins over the file's.
    const overridden = await runHealth({ database: db.url, config, thresholds: { multixactAge: 0.5 }, checks: healthChecks.filter((c) => c.id === 'multixact-wraparound') });
    expect(byRule(overridden, 'multixact-wraparound')).toEqual([]);
  });
});

describe('health thresholds in the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-health-config-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('accepts them in YAML too, and defaults to none', () => {
    expect(loadConfig(write('pgarch.config.yaml', 'health:\n  thresholds:\n    machineMemoryBytes: 68719476736\n    longRunningSeconds: 60\n')).health.thresholds).toEqual({ machineMemoryBytes: 68719476736, longRunningSeconds: 60 });
    expect(loadConfig(write('empty.json', '{}')).health).toEqual({ thresholds: {} });
  });

  it('names an unknown threshold or a bad value in one line', () => {
    const error = (text: string) => {
      try {
        loadConfig(write('bad.json', text));
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('no config error');
    };
    expect(error('{"health": {"thresholds": {"longRunningSecs": 60}}}')).toMatch(/^invalid config .*bad\.json: health\.thresholds: Unrecognized key: "longRunningSecs"$/);
    expect(error('{"health": {"thresholds": {"xidAge": 2}}}')).toMatch(/health\.thresholds\.xidAge: .*<=1/);
    expect(error('{"health": {"thresholds": {"slowQueryTop": 2.5}}}')).toMatch(/health\.thresholds\.slowQueryTop: .*expected int\b/);
    expect(error('{"health": {"thresholds": {"machineMemoryBytes": "64GB"}}}')).toMatch(/health\.thresholds\.machineMemoryBytes: .*number/);
    expect(error('{"health": {"limits": {}}}')).toMatch(/health: Unrecognized key: "limits"/);
  });

  it('stops pgarch health with exit 2 and the message, not a stack trace', async () => {
    const config = write('cli.json', '{"health": {"thresholds": {"tableBloatRatio": -1}}}');
    const run = await pgarch(['health', '--database', 'postgres://nobody@127.0.0.1:1/none', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pgarch: invalid config .*cli\.json: health\.thresholds\.tableBloatRatio: .*\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('health: where the memory figure comes from', () => {
  it('takes a connection to a loopback host or a Unix socket for this machine', () => {
    for (const url of ['postgres://u@127.0.0.1:5432/db', 'postgres://u@localhost/db', 'postgres://u@[::1]/db', 'postgres:///db?host=/var/run/postgresql', 'host=/tmp dbname=app', 'postgres://u@%2Fvar%2Frun%2Fpostgresql/db']) {
      expect(isLocalConnection(url, {}), url).toBe(true);
    }
    for (const url of ['postgres://u@db.example.com/db', 'postgres://u@10.0.0.5/db', 'host=db.internal dbname=app']) expect(isLocalConnection(url, {}), url).toBe(false);
    // No host at all: $PGHOST, else localhost, as node-postgres picks it.
    expect(connectionHost('postgres:///db', { PGHOST: 'db.example.com' })).toBe('db.example.com');
    expect(connectionHost('postgres:///db', {})).toBe('localhost');
  });

  it('uses machineMemoryBytes when given, this machine\'s memory when both ends are local, else none', () => {
    expect(machineMemory(64 * 1024 ** 3, false, false)).toEqual({ bytes: 64 * 1024 ** 3, source: '64.0 GB of memory (machineMemoryBytes)' });
    expect(machineMemory(undefined, true, true)?.source).toMatch(/this machine's, os\.totalmem\(\)/);
    // A published container port: the client says 127.0.0.1, the server sees its own network.
    expect(machineMemory(undefined, true, false)).toBeUndefined();
    expect(machineMemory(undefined, false, true)).toBeUndefined();
  });
});

describe('health checks on PostgreSQL 18 (PGlite)', () => {
  it('run without failing, down the version branches of PG 17+', async () => {
    const engine = await openEngine({});
    try {
      const version = (await engine.version()).num;
      expect(version).toBeGreaterThanOrEqual(170000);
      await engine.exec('create table t (id int primary key, p text); insert into t select g, md5(g::text) from generate_series(1, 50000) g; delete from t where id % 10 <> 0; analyze t;');
      const thresholds = { ...DEFAULT_THRESHOLDS, tableBloatMinBytes: 1024 ** 2, indexBloatMinBytes: 512 * 1024, machineMemoryBytes: 16 * 1024 ** 3 };
      const found = [];
      for (const check of healthChecks) found.push(...(await check.run({ db: engine, version, thresholds, localHost: false })));
      expect(found.filter((f) => f.rule.endsWith('-bloat')).map((f) => `${f.rule} ${f.object}`).sort()).toEqual(['index-bloat public.t_pkey', 'table-bloat public.t']);
    } finally {
      await engine.close();
    }
  }, 60_000);
});

describe('health: replication-lag from what pg_stat_replication says', () => {
  const rows = [
    { name: 'replica-a', addr: '10.0.0.5', state: 'streaming', sync: 'async', lag: 75, behind: 5 * 1024 ** 2, hidden: false },
    { name: 'replica-b', addr: '10.0.0.6', state: 'streaming', sync: 'sync', lag: null, behind: 2 * 1024 ** 3, hidden: false },
    { name: 'replica-c', addr: '10.0.0.7', state: 'streaming', sync: 'async', lag: 0.2, behind: 1024, hidden: false },
    { name: 'walreceiver', addr: null, state: null, sync: null, lag: null, behind: null, hidden: true },
  ];
  const db = { query: async () => ({ rows }), exec: async () => {} } as unknown as Queryable;

  it('reports the replicas late or far behind, and says which it cannot see', async () => {
    const found = await replicationLag.run({ db, version: 150000, thresholds: DEFAULT_THRESHOLDS, localHost: false });
    expect(found.map((f) => `${f.severity} ${f.object}`)).toEqual(['info walreceiver', 'warning replica-a', 'warning replica-b']);
    expect(found[1].message).toBe('Replica replica-a (10.0.0.5, streaming, async) is 5.0 MB of WAL behind in replay, 75 s late');
    expect(found[2].hint).toContain('as a synchronous replica it slows every commit here');
  });
});

describe('health: the bloat estimator', () => {
  const int4: ColumnLayout = { align: 'i', len: 4, storage: 'p', width: 4, nullFrac: 0 };
  const int8: ColumnLayout = { align: 'd', len: 8, storage: 'p', width: 8, nullFrac: 0 };

  it('lays heap tuples out as PostgreSQL does', () => {
    // (int4, int4): a 24-byte header, 8 bytes of data, a 4-byte line pointer: 226 rows per 8 kB page.
    expect(heapPagesNeeded(226_000, [int4, int4], 2, 100, 8192)).toBe(1000);
    // (int4, int8, int4, int8): each int8 aligned to 8, so 32 bytes of data, not 24: 136 rows a page.
    expect(heapPagesNeeded(136_000, [int4, int8, int4, int8], 4, 100, 8192)).toBe(1000);
    // fillfactor 50 leaves half of each page for updates.
    expect(heapPagesNeeded(226_000, [int4, int4], 2, 50, 8192)).toBeGreaterThan(1900);
    expect(heapPagesNeeded(0, [int4], 1, 100, 8192)).toBe(0);
  });

  it('counts btree leaves at their fillfactor, the levels above and the metapage', () => {
    // An int4 key: 16-byte tuples + 4-byte line pointers, 365 entries a leaf at 90%. PostgreSQL 15 builds
    // this index on 1,000,000 rows in 2,745 pages (as do the tables above in 1,000).
    const pages = btreePagesNeeded(1_000_000, [int4], 90, 8192);
    expect(pages).toBeGreaterThanOrEqual(2745);
    expect(pages).toBeLessThan(2760);
    expect(btreePagesNeeded(0, [int4], 90, 8192)).toBe(1);
  });
});

describe('health rules in the registry', () => {
  // The ids of the "health" section of shared/design/rules.md (fixed; never renamed).
  const RULES_MD_HEALTH_IDS = [
    'slow-queries', 'unused-index', 'missing-index-candidate', 'table-bloat', 'index-bloat', 'cache-hit-ratio', 'long-running-query',
    'blocked-query', 'connection-usage', 'vacuum-stale', 'xid-wraparound', 'sequence-exhaustion', 'invalid-index', 'duplicate-index',
    'invalid-constraint', 'inactive-replication-slot', 'replication-lag', 'autovacuum-disabled', 'dead-tuples', 'idle-in-transaction',
    'multixact-wraparound', 'setting-review', 'lock-wait',
  ];

  it('has a check for every health id of rules.md (lock-wait comes from the runner), each listed in allRules with its docs page', () => {
    expect([...healthChecks.map((c) => c.id), 'lock-wait'].sort()).toEqual([...RULES_MD_HEALTH_IDS].sort());
    // duplicate-index is a schema rule's id too: its one entry (and page) tells of the live check.
    const listed = allRules().flatMap((r) => (r.area === 'health' ? [r] : r.health ? [r.health] : []));
    expect(listed.map((r) => r.id).sort()).toEqual([...RULES_MD_HEALTH_IDS].sort());
    expect(new Set(allRules().map((r) => r.id)).size).toBe(allRules().length);
    for (const id of RULES_MD_HEALTH_IDS) {
      const page = readFileSync(new URL(`../docs/rules/${id}.md`, import.meta.url), 'utf8');
      expect(page).toMatch(id === 'duplicate-index' ? /## On a live database\n\n`pgarch health` reports it too/ : /Area: `health`/);
    }
    // Every threshold is some check's, and its docs page lists it.
    expect(listed.flatMap((r) => r.thresholds?.map((t) => t.name) ?? []).sort()).toEqual(Object.keys({ ...DEFAULT_THRESHOLDS, machineMemoryBytes: 0 }).sort());
  });
});
