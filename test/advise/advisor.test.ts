// The index advisor on the planted workload of examples/advisor: every planted need is found — a
// composite whose column order matters, a partial index, an expression index, a covering index, a
// trigram index, a sort served by an index — and the index that writes make too dear is not; on
// embedded PGlite (real indexes on the copy) and on the server (HypoPG, read-only).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adviseIndexes } from '../../src/advise/advise.js';
import type { AdviceReport, ProposedIndex } from '../../src/advise/types.js';
import { ownDatabase } from '../helpers/own-database.js';
import { describeServer, qualstatsPreloaded, statStatementsPreloaded, statStatementsSkipReason } from '../helpers/server.js';

const DIR = 'examples/advisor';
const WORKLOAD = [`${DIR}/workload.sql`];

/** The proposal whose SQL contains every fragment. */
const proposal = (report: AdviceReport, ...fragments: string[]): ProposedIndex | undefined => report.advice!.indexes.find((p) => fragments.every((f) => p.sql.includes(f)));
const queryAt = (report: AdviceReport, line: number) => report.advice!.queries.find((q) => q.location?.line === line)!;

/** What a user relies on from every run, whatever the engine. */
function plantedNeeds(get: () => AdviceReport, { trigram }: { trigram: boolean }) {
  it('puts the equality column before the range column of a composite, widening the index on the equality column', () => {
    const p = proposal(get(), 'ON public.customers (country, created_at)');
    expect(p, JSON.stringify(get().advice!.indexes.map((i) => i.sql))).toBeDefined();
    expect(proposal(get(), 'customers (created_at, country)')).toBeUndefined();
    expect(p!.replaces).toBe('public.customers_country_idx');
    expect(get().findings.some((f) => f.rule === 'advise-widen-index' && f.fix?.sql.includes('DROP INDEX CONCURRENTLY public.customers_country_idx'))).toBe(true);
  });

  it('proposes a partial index for the constant predicate of the work queue', () => {
    const p = proposal(get(), "ON public.orders (created_at) WHERE status = 'pending'");
    expect(p).toBeDefined();
    expect(p!.serves).toContain(queryAt(get(), 21).id);
  });

  it('proposes an expression index for lower(email)', () => {
    const p = proposal(get(), 'ON public.customers ((lower(email)))');
    expect(p).toBeDefined();
    expect(queryAt(get(), 6).uses).toContain(p!.name);
  });

  it('proposes a covering index for the two columns the product sales query reads', () => {
    const p = proposal(get(), 'ON public.order_items (product_id) INCLUDE (quantity)');
    expect(p).toBeDefined();
    const q = queryAt(get(), 30);
    expect(q.costAfter!).toBeLessThan(q.costBefore! / 100);
  });

  it('serves the sort and LIMIT of the account page from an index led by the customer', () => {
    const p = proposal(get(), 'ON public.orders (customer_id, created_at)');
    expect(p).toBeDefined();
    expect(p!.serves).toContain(queryAt(get(), 17).id);
  });

  it.runIf(trigram)('proposes a trigram GIN index for the ILIKE search', () => {
    const p = proposal(get(), 'ON public.products USING gin (name gin_trgm_ops)');
    expect(p).toBeDefined();
    expect(p!.extension).toBe('pg_trgm');
  });

  it('proposes nothing on the events table, where writes outweigh the one rare read', () => {
    expect(get().advice!.indexes.filter((p) => p.object === 'public.events')).toEqual([]);
    // The read would gain from one: the write cost is what rules it out.
    const rare = queryAt(get(), 62);
    expect(rare.costAfter).toBe(rare.costBefore);
  });

  it('advises dropping the index no query uses, keeping those that back constraints and foreign keys', () => {
    const drops = get().advice!.drops;
    expect(drops.find((d) => d.name === 'orders_shipped_at_idx')).toMatchObject({ reason: 'unused', sql: 'DROP INDEX CONCURRENTLY public.orders_shipped_at_idx;' });
    expect(drops.filter((d) => d.reason === 'unused').map((d) => d.name)).toEqual(['orders_shipped_at_idx']);
  });

  it('reports each proposal as a finding located at the first query it serves, with the CONCURRENTLY fix', () => {
    const created = get().findings.filter((f) => f.rule === 'advise-create-index');
    expect(created.length).toBeGreaterThanOrEqual(4);
    for (const f of created) {
      expect(f.location?.file).toBe(`${DIR}/workload.sql`);
      expect(f.fix?.sql).toMatch(/^CREATE INDEX CONCURRENTLY \w+ ON public\./);
    }
    expect(get().summary.errors).toBe(0);
    expect(get().advice!.totalAfter).toBeLessThan(get().advice!.totalBefore / 5);
  });
}

/**
 * The five proposals that lower the workload's cost most, each as its table, keys and predicate: what an
 * index is for. INCLUDE lists are left out, since whether two more columns pay is a close call that the
 * engines' cost models may settle apart.
 */
const topChoices = (report: AdviceReport) =>
  report.advice!.indexes
    .slice(0, 5)
    .map((p) => p.sql.replace(/^CREATE INDEX CONCURRENTLY \w+ /, '').replace(/ INCLUDE \([^)]*\)/, '').replace(/;$/, ''))
    .sort();

/** The embedded run's report, which the server run is compared with. */
let embedded: AdviceReport | undefined;

describe('advise indexes on embedded PGlite (real indexes on the copy)', () => {
  let report: AdviceReport;
  beforeAll(async () => {
    report = await adviseIndexes({ schema: [`${DIR}/schema.sql`, `${DIR}/data.sql`], workload: WORKLOAD });
    embedded = report;
  }, 180_000);
  it('ranks the proposals by how much each lowers the workload\'s cost', () => {
    const benefits = report.advice!.indexes.map((p) => p.benefit);
    expect(benefits).toEqual([...benefits].sort((a, b) => b - a));
  });
  plantedNeeds(() => report, { trigram: true });
  it('says how it costed', () => {
    expect(report.advice).toMatchObject({ costing: 'real', method: expect.stringContaining('Extend (Schlosser') });
    expect(report.advice!.engine).toMatch(/PGlite/);
  });
});

describe('advise indexes: bad input', () => {
  it('reports a query that does not parse and one that does not plan at their lines, and still advises on the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-advise-'));
    writeFileSync(join(dir, 'schema.sql'), 'create table t (id bigint primary key, a int not null, b text not null);\n');
    writeFileSync(join(dir, 'bad.sql'), 'select * from t where nope = 1;\n-- weight: 10\nselect id from t where a = $1;\nselect b from t where id in (select id from t where a = $1);\n');
    writeFileSync(join(dir, 'broken.sql'), 'select from where;\n');
    const report = await adviseIndexes({ schema: [join(dir, 'schema.sql')], rows: { t: 50_000 }, workload: [join(dir, 'bad.sql'), join(dir, 'broken.sql')] });
    expect(report.findings.find((f) => f.rule === 'syntax-error')?.location).toMatchObject({ file: join(dir, 'broken.sql'), line: 1 });
    expect(report.findings.filter((f) => f.rule === 'execution-error')).toEqual([expect.objectContaining({ location: expect.objectContaining({ file: join(dir, 'bad.sql'), line: 1 }), message: expect.stringContaining('nope') })]);
    // A parameter inside a sub-select gets a value too: that query plans.
    expect(report.advice!.queries.find((q) => q.sql.includes('in (select'))).toMatchObject({ costBefore: expect.any(Number), params: [expect.any(String)] });
    expect(report.advice!.indexes.map((i) => i.sql)).toEqual([expect.stringContaining('ON public.t (a)')]);
  }, 120_000);
});

describe('advise indexes on the shapes of a real app (techschool/simplebank, sqlc)', () => {
  let report: AdviceReport;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-advise-app-'));
    writeFileSync(
      join(dir, 'schema.sql'),
      `create table users (username varchar primary key, email varchar unique not null);
create table accounts (id bigserial primary key, owner varchar not null references users (username), currency varchar not null, balance bigint not null, unique (owner, currency));
create index accounts_owner_idx on accounts (owner);
create table entries (id bigserial primary key, account_id bigint not null references accounts (id), amount bigint not null);
create index entries_account_id_idx on entries (account_id);
`,
    );
    writeFileSync(
      join(dir, 'query.sql'),
      `-- name: ListEntries :many
SELECT * FROM entries WHERE account_id = sqlc.arg(account_id) ORDER BY id LIMIT 5;

-- name: ListAccounts :many
SELECT * FROM accounts WHERE owner = @owner ORDER BY currency;
`,
    );
    // Children named before their parents: seeding still goes parents first.
    report = await adviseIndexes({ schema: [join(dir, 'schema.sql')], rows: { entries: 300_000, accounts: 40_000, users: 20_000 }, workload: [join(dir, 'query.sql')] });
  }, 180_000);

  it('plans sqlc queries (sqlc.arg, @name) without errors', () => {
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.advice!.queries.every((q) => q.costBefore !== undefined)).toBe(true);
  });

  it('widens the index a foreign key leads with: the wider index still serves the foreign key', () => {
    expect(proposal(report, 'ON public.entries (account_id, id)')).toMatchObject({ replaces: 'public.entries_account_id_idx' });
  });

  it('calls an index redundant when another existing index starts with its keys', () => {
    expect(report.advice!.drops.find((d) => d.name === 'accounts_owner_idx')).toMatchObject({ reason: 'redundant', coveredBy: 'accounts_owner_currency_key' });
    expect(report.findings.find((f) => f.rule === 'advise-drop-index' && f.message.includes('accounts_owner_idx'))?.message).toMatch(/redundant: accounts_owner_currency_key starts with the same keys/);
  });
});

describeServer('advise indexes on the server (HypoPG, read-only)', () => {
  const db = ownDatabase('pgarch_advise');
  let report: AdviceReport;
  let before: string;
  const fingerprint = async () =>
    JSON.stringify(
      (await db.run(`select string_agg(indexrelid::regclass::text, ',' order by 1) as i, (select count(*) from events) as e from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'`))[0],
    );

  beforeAll(async () => {
    await db.create();
    // Extensions need a superuser; everything else runs as the test's own role.
    await db.run('create extension hypopg; create extension pg_trgm', [], 'superuser');
    await db.run(readFileSync(`${DIR}/schema.sql`, 'utf8'));
    await db.run(readFileSync(`${DIR}/data.sql`, 'utf8'));
    await db.run('vacuum analyze');
    before = await fingerprint();
    report = await adviseIndexes({ database: db.url, workload: WORKLOAD });
  }, 300_000);

  afterAll(() => db.drop());

  // HypoPG cannot make GIN indexes (nor give expression keys statistics): those candidates are also built on a sample copied into PGlite.
  plantedNeeds(() => report, { trigram: true });

  it('costs with hypothetical indexes and leaves the database as it was', async () => {
    expect(report.advice!.costing).toBe('hypopg');
    expect(await fingerprint()).toBe(before);
  });

  it('says which tables it sampled into PGlite for the GIN and expression candidates', () => {
    expect(report.advice!.sampled?.map((t) => t.table)).toEqual(expect.arrayContaining(['public.products', 'public.customers']));
  });

  it('does not call an index unused when the server counted scans of it (the workload is not all the server runs)', async () => {
    expect(report.advice!.drops.find((d) => d.name === 'orders_shipped_at_idx')).toMatchObject({ reason: 'unused', scans: 0, sizeBytes: expect.any(Number) });
    expect(report.advice!.drops.find((d) => d.name === 'orders_shipped_at_idx')!.sizeBytes).toBeGreaterThan(1_000_000);
    await db.run(`set enable_seqscan = off; select count(*) from orders where shipped_at > now() - interval '1 day'`);
    // The statistics reach pg_stat_user_indexes when the backend reports them (at most a second later).
    await expect.poll(async () => Number((await db.run(`select idx_scan from pg_stat_user_indexes where indexrelname = 'orders_shipped_at_idx'`))[0].idx_scan), { timeout: 10_000 }).toBeGreaterThan(0);
    const again = await adviseIndexes({ database: db.url, workload: WORKLOAD });
    expect(again.advice!.drops.filter((d) => d.reason === 'unused')).toEqual([]);
  }, 120_000);

  it('keeps HypoPG\'s cost for a query the sample copy cannot plan (it holds tables, not functions)', async () => {
    await db.run(`create function is_vip(bigint) returns boolean language sql immutable as 'select $1 % 97 = 0'`);
    const file = join(mkdtempSync(join(tmpdir(), 'pgarch-advise-')), 'workload.sql');
    writeFileSync(file, '-- weight: 100\nselect id from customers where lower(email) = lower($1) and is_vip(id);\n');
    const r = await adviseIndexes({ database: db.url, workload: [file] });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.advice!.queries[0]).toMatchObject({ costBefore: expect.any(Number), costAfter: expect.any(Number) });
    expect(r.advice!.indexes.map((p) => p.sql)).toEqual([expect.stringContaining('ON public.customers ((lower(email)))')]);
  }, 120_000);

  it('makes the same top choices as embedded PGlite', () => {
    expect(embedded, 'the embedded PGlite block runs first in this file').toBeDefined();
    expect(topChoices(report)).toEqual(topChoices(embedded!));
  });
});

describeServer('advise indexes on a server without HypoPG', () => {
  const db = ownDatabase('pgarch_advise_nohypo');
  let workload: string;

  beforeAll(async () => {
    await db.create();
    await db.run(`create table t (id bigint generated always as identity primary key, a int not null, b text not null);
      insert into t (a, b) select g % 5000, 'row ' || g from generate_series(1, 200000) g; analyze t`);
    workload = join(mkdtempSync(join(tmpdir(), 'pgarch-advise-')), 'workload.sql');
    writeFileSync(workload, '-- weight: 100\nselect id, b from t where a = $1;\n');
  }, 120_000);

  afterAll(() => db.drop());

  it('says how to get HypoPG and advises from real indexes on a sampled copy in PGlite', async () => {
    const report = await adviseIndexes({ database: db.url, workload: [workload], sampleRows: 20_000 });
    expect(report.findings.find((f) => f.rule === 'advise-sampled')).toMatchObject({ severity: 'info', hint: expect.stringContaining('CREATE EXTENSION hypopg') });
    expect(report.advice!.costing).toBe('real');
    expect(report.advice!.sampled).toEqual([{ table: 'public.t', sourceRows: 200_000, copiedRows: expect.any(Number) }]);
    expect(report.advice!.sampled![0].copiedRows).toBeGreaterThan(14_000);
    expect(report.advice!.sampled![0].copiedRows).toBeLessThanOrEqual(20_000);
    expect(report.advice!.indexes.map((i) => i.sql)).toEqual([expect.stringMatching(/ON public\.t \(a\)/)]);
    // Nothing was built on the server.
    expect(await db.run(`select count(*)::int as n from pg_indexes where tablename = 't'`)).toEqual([{ n: 1 }]);
  }, 120_000);

  it.runIf(statStatementsPreloaded)('takes the workload from pg_stat_statements when no files are given, weighted by calls', async () => {
    await db.run('create extension if not exists pg_stat_statements', [], 'superuser');
    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    for (let i = 0; i < 60; i++) await app.query('select id, b from t where a = $1', [i * 7]);
    await app.end();
    const report = await adviseIndexes({ database: db.url, sampleRows: 20_000 });
    const query = report.advice!.queries.find((q) => q.sql.includes('where a = $1'));
    expect(query?.weight).toBeGreaterThanOrEqual(60);
    expect(query?.location).toMatchObject({ file: 'pg_stat_statements' });
    expect(report.advice!.indexes.map((i) => i.sql)).toEqual([expect.stringMatching(/ON public\.t \(a\)/)]);
  }, 120_000);
  it.runIf(statStatementsPreloaded && qualstatsPreloaded)('binds the constants pg_qualstats saw a statement run with, instead of values sampled from the column', async () => {
    await db.run('create extension if not exists pg_stat_statements; create extension if not exists pg_qualstats', [], 'superuser');
    // Every execution sampled, in this database only (the default samples one in max_connections).
    await db.run(`alter database ${db.name} set pg_qualstats.sample_rate = 1`, [], 'superuser');
    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    for (let i = 0; i < 20; i++) await app.query('select b from t where a = 4242');
    await app.end();
    const report = await adviseIndexes({ database: db.url, sampleRows: 20_000 });
    const query = report.advice!.queries.find((q) => q.sql.startsWith('select b from t where a = $1'));
    expect(query, JSON.stringify(report.advice!.queries.map((q) => q.sql))).toMatchObject({ params: ['4242'], paramsFrom: 'pg_qualstats', costBefore: expect.any(Number) });
  }, 120_000);
  it.runIf(statStatementsPreloaded)('charges writes from the table\'s own counters when the workload is pg_stat_statements, so writes it does not list still count', async () => {
    await db.run('create table w (id bigint primary key, a int not null, b text not null)');
    // The tables' counters get a reset time (a new database has none), so their period can be matched with pg_stat_statements'.
    await db.run('select pg_stat_reset()', [], 'superuser');
    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    // 200,000 rows written by a DO block: pg_stat_statements lists the DO, not the INSERT inside it.
    await app.query(`do $$ begin insert into w select g, g % 5000, 'x' || g from generate_series(1, 200000) g; end $$`);
    await app.query('analyze w');
    for (let i = 0; i < 5; i++) await app.query('select b from w where a = $1', [i * 11]);
    await app.end();
    await expect.poll(async () => Number((await db.run(`select n_tup_ins from pg_stat_user_tables where relname = 'w'`))[0].n_tup_ins), { timeout: 10_000 }).toBe(200_000);
    const live = await adviseIndexes({ database: db.url, sampleRows: 20_000 });
    expect(live.advice!.queries.some((q) => q.sql.startsWith('select b from w'))).toBe(true);
    expect(live.advice!.indexes.filter((p) => p.object === 'public.w')).toEqual([]);
    // The same read from a file (no counters for the period its weights mean): the index pays.
    const file = join(mkdtempSync(join(tmpdir(), 'pgarch-advise-')), 'w.sql');
    writeFileSync(file, '-- weight: 5\nselect b from w where a = $1;\n');
    const fromFile = await adviseIndexes({ database: db.url, workload: [file], sampleRows: 20_000 });
    expect(fromFile.advice!.indexes.map((p) => p.sql)).toEqual([expect.stringContaining('ON public.w (a)')]);
  }, 180_000);
  if (!statStatementsPreloaded) it.skip(`pg_stat_statements workload (${statStatementsSkipReason})`, () => {});
});
