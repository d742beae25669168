// What `pgarch health` says about the queries on the real server: a slow statement comes with the plan
// rules' insights (EXPLAIN ANALYZE with the values pg_qualstats saw), `--advise` gives a missing-index
// candidate the advisor's CREATE INDEX, `--format markdown` is the review's Monitoring section, and
// pgarch's own catalog reads (tagged) never count as the application's slow queries.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OWN_STATEMENT_TAG } from '../src/engine/types.js';
import { openEngine } from '../src/engine/index.js';
import { queriesView } from '../src/monitor/dashboard/views.js';
import { runHealth } from '../src/monitor/run.js';
import type { Report } from '../src/types.js';
import { pgarch } from './helpers/cli.js';
import { until } from './helpers/locks.js';
import { ownDatabase } from './helpers/own-database.js';
import { describeServer, qualstatsPreloaded, statStatementsPreloaded } from './helpers/server.js';

(statStatementsPreloaded ? describeServer : describeServer.skip)('health on the queries of the server', () => {
  const db = ownDatabase('pgarch_healthq');

  beforeAll(async () => {
    await db.create();
    await db.run('create extension pg_stat_statements; create extension hypopg', [], 'superuser');
    if (qualstatsPreloaded) {
      await db.run('create extension pg_qualstats', [], 'superuser');
      await db.run(`alter database ${db.name} set pg_qualstats.sample_rate = 1`, [], 'superuser');
    }
    await db.run(`
      create table scanned (id int primary key, kind int not null, payload text);
      insert into scanned select g, g % 400, md5(g::text) from generate_series(1, 40000) g;
      analyze scanned;
    `);
    // The statements above are not the workload: this database's pg_stat_statements entries start here.
    await db.run('select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)', [], 'superuser');
    // A filter no index serves, run again and again (constants in the text, as many drivers send them).
    for (let i = 0; i < 60; i++) await db.run(`select count(*) from scanned where kind = ${i % 400}`);
    for (let i = 0; i < 3; i++) await db.run(`select pg_sleep(0.12), count(*) from scanned where kind = ${i}`);
    await until('the scans to be counted', async () => Number((await db.run(`select seq_scan from pg_stat_user_tables where relname = 'scanned'`))[0].seq_scan) >= 60);
  }, 120_000);
  afterAll(() => db.drop());

  it('gives a slow statement the insights of its plan', async () => {
    const report = await runHealth({ database: db.url });
    const slow = report.findings.find((f) => f.rule === 'slow-queries' && f.message.includes('pg_sleep'));
    expect(slow, JSON.stringify(report.findings)).toBeDefined();
    expect(slow!.object).toMatch(/^queryid -?\d+$/);
    if (qualstatsPreloaded) {
      expect(slow!.hint).toContain('EXPLAIN ANALYZE with the values pg_qualstats saw');
      expect(slow!.hint).toContain('[seq-scan-filter]');
      expect(slow!.hint).toContain('CREATE INDEX CONCURRENTLY ON public.scanned (kind)');
    }
  });

  it('reports the top statements by total time and, after them, the top by mean time', async () => {
    // Right before the run, several calls each: when the whole suite fills pg_stat_statements it
    // evicts its least-used entries. 6 × 0.12 s tops the total; 2 × 0.25 s, less in all, the mean.
    for (let i = 0; i < 6; i++) await db.run(`select pg_sleep(0.12), count(*) from scanned where kind = ${i}`);
    for (let i = 0; i < 2; i++) await db.run('select pg_sleep(0.25), id from scanned where id = 1');
    const report = await runHealth({ database: db.url, thresholds: { slowQueryTop: 1 } });
    const slow = report.findings.filter((f) => f.rule === 'slow-queries').map((f) => f.message);
    expect(slow, JSON.stringify(slow)).toEqual([expect.stringMatching(/^\d+ calls at .*pg_sleep\(\$1\), count\(\*\)/), expect.stringMatching(/^2 calls at .*pg_sleep\(\$1\), id from scanned/)]);
  });

  it("never counts pgarch's own reads as the application's statements", async () => {
    await runHealth({ database: db.url });
    const tagged = await db.run(`select count(*)::int as n from pg_stat_statements where query like $1 and dbid = (select oid from pg_database where datname = current_database())`, [`${OWN_STATEMENT_TAG.trim()}%`], 'superuser');
    expect(tagged[0].n).toBeGreaterThan(5);
    const engine = await openEngine({ database: db.url, readOnly: true });
    try {
      const view = await queriesView(engine, (await engine.version()).num);
      const all = [...view.byTotal, ...view.byMean].map((r) => r.query);
      expect(all.some((q) => q.includes('from scanned where kind'))).toBe(true);
      expect(all.filter((q) => q.includes('pgarch') || /pg_stat_|pg_class|pg_database|current_setting/.test(q))).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('--advise gives the missing-index candidate the advisor\'s CREATE INDEX', async () => {
    const { code, stdout, stderr } = await pgarch(['health', '--database', db.url, '--advise', '--format', 'json']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as Report;
    const candidate = report.findings.find((f) => f.rule === 'missing-index-candidate' && f.object === 'public.scanned');
    expect(candidate, stdout).toBeDefined();
    expect(candidate!.hint).toContain('The index advisor proposes');
    expect(candidate!.fix?.sql).toMatch(/^CREATE INDEX CONCURRENTLY \S+ ON public\.scanned \(kind\);$/m);
  });

  it('--format markdown is the Monitoring section, findings grouped by what they are about', async () => {
    const { code, stdout, stderr } = await pgarch(['health', '--database', db.url, '--format', 'markdown']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^## Monitoring\n\n\*\*\d+ errors?, \d+ warnings?/);
    const indexes = stdout.slice(stdout.indexOf('### Indexes and constraints'));
    expect(indexes).toContain('| warning | `missing-index-candidate` | public.scanned |');
    expect(stdout).toContain('### Queries');
    expect(stdout).toMatch(/\| warning \| `slow-queries` \| queryid -?\d+ \| .*pg_sleep/);
  });
});
