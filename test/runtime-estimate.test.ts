// estimateRuntime times a statement on seeded rows behind a rolled-back savepoint and extrapolates to
// the table's size, on both engines; the review checklist's runtime item says what it found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine/index.js';
import type { Migration } from '../src/migrate/layouts/types.js';
import { estimateRuntime, type RuntimeEstimate } from '../src/migrate/runtime-estimate.js';
import { migrationChecklists } from '../src/review/checklist.js';
import { loadParser, parseFile, type Statement } from '../src/sql/parse.js';
import type { Finding } from '../src/types.js';
import { ENGINES } from './helpers/server.js';

const SCHEMA = `
CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  total integer NOT NULL,
  status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
INSERT INTO customers (email) VALUES ('a@example.com');
`;

const statement = async (sql: string): Promise<Statement> => (await parseFile(`${sql};\n`, 'migrations/0002_change.sql')).statements[0];
const orders = (rows: number) => [{ schema: 'public', name: 'orders', rows }];

/** What the estimate must leave as it found it: columns, indexes, rows, files, statistics, sequences. */
async function state(engine: Engine): Promise<unknown> {
  const q = async (sql: string) => (await engine.query(sql)).rows;
  return {
    columns: await q(`select table_name, column_name, data_type from information_schema.columns where table_schema = 'public' order by 1, 2`),
    indexes: await q(`select indexname, indexdef from pg_indexes where schemaname = 'public' order by 1`),
    rows: await q(`select (select count(*) from orders)::int as orders, (select count(*) from customers)::int as customers`),
    files: await q(`select relname, relfilenode::text, relpages, reltuples, pg_relation_size(oid)::text as size from pg_class where relnamespace = 'public'::regnamespace order by 1`),
    sequences: await q(`select sequencename, last_value::text from pg_sequences where schemaname = 'public' order by 1`),
  };
}

for (const target of ENGINES) {
  describe(`estimateRuntime on ${target.name}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await openEngine({ database: target.database, scratch: true });
      await engine.exec(SCHEMA);
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('estimates a table rewrite at 1,000,000 rows, linear in rows, and leaves everything as it was', async () => {
      const before = await state(engine);
      const reasons: string[] = [];
      const started = performance.now();
      const estimate = await estimateRuntime(engine, await statement('ALTER TABLE orders ALTER COLUMN total TYPE bigint'), orders(1_000_000), { skipped: (r) => reasons.push(r) });
      const tookMs = performance.now() - started;
      expect(reasons).toEqual([]);
      expect(estimate).toMatchObject({
        statement: { file: 'migrations/0002_change.sql', line: 1, endLine: 1, summary: 'ALTER TABLE orders ALTER COLUMN total TYPE bigint' },
        tables: [{ schema: 'public', name: 'orders', rows: 1_000_000, sampledRows: 20_000 }],
        sampledRows: 20_000,
        model: 'linear',
        engine: engine.description,
      });
      const e = estimate!;
      expect(e.timedAs).toBeUndefined();
      // Rewriting 20,000 rows takes measurable time; a million take 50 times the per-row part.
      expect(e.sampleMs).toBeGreaterThan(e.fixedMs);
      expect(e.atRowsMs).toBeGreaterThan(e.sampleMs * 10);
      expect(e.atRowsMs).toBeCloseTo(e.fixedMs + (e.sampleMs - e.fixedMs) * 50, 0);
      const ratio = e.at10xMs / e.atRowsMs;
      expect(ratio).toBeGreaterThan(9.5);
      expect(ratio).toBeLessThanOrEqual(10);
      expect(await state(engine)).toEqual(before);
      console.log(`[runtime-estimate] ${target.name}: ALTER COLUMN TYPE at 1,000,000 rows ≈ ${e.atRowsMs.toFixed(0)} ms (sample ${e.sampleMs} ms, fixed ${e.fixedMs} ms), estimated in ${tookMs.toFixed(0)} ms`);
    });

    it('seeds an empty parent of a foreign key and sets back the sequences the seeding advanced', async () => {
      const before = await state(engine);
      await engine.exec('TRUNCATE customers CASCADE');
      const emptied = await state(engine);
      const estimate = await estimateRuntime(engine, await statement('ALTER TABLE orders ALTER COLUMN status SET NOT NULL'), orders(50_000));
      expect(estimate).toMatchObject({ parents: [{ schema: 'public', name: 'customers', sampledRows: 1000 }], tables: [{ name: 'orders', rows: 50_000, sampledRows: 20_000 }] });
      expect(await state(engine)).toEqual(emptied);
      await engine.exec("INSERT INTO customers (email) VALUES ('a@example.com')");
      expect((await state(engine) as { rows: unknown }).rows).toEqual((before as { rows: unknown }).rows);
    });

    it('times CREATE INDEX CONCURRENTLY as a plain CREATE INDEX, n log n, and says so', async () => {
      const before = await state(engine);
      const estimate = await estimateRuntime(engine, await statement('CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at)'), orders(1_000_000));
      expect(estimate).toMatchObject({ model: 'n log n', timedAs: 'CREATE INDEX without CONCURRENTLY', note: expect.stringContaining('scans the table twice') });
      // n log n: 10x the rows costs more than 10x (log2 of 10,000,000 over log2 of 1,000,000 is 7/6).
      expect(estimate!.at10xMs / estimate!.atRowsMs).toBeGreaterThan(10);
      expect(await state(engine)).toEqual(before);
    });

    it('works inside the migration\'s open transaction block and keeps what the block did so far', async () => {
      await engine.exec('BEGIN');
      await engine.exec('ALTER TABLE orders ADD COLUMN note text');
      const estimate = await estimateRuntime(engine, await statement('UPDATE orders SET note = status'), orders(100_000));
      expect(estimate?.model).toBe('linear');
      const columns = async () => (await engine.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'orders' order by 1`)).rows.map((r) => r.column_name);
      expect(await columns()).toContain('note');
      expect((await engine.query<{ n: number }>('select count(*)::int as n from orders')).rows[0].n).toBe(0);
      await engine.exec('ROLLBACK');
      expect(await columns()).not.toContain('note');
    });

    it('gives no estimate, with a reason, when no size is known or the statement cannot be timed', async () => {
      const before = await state(engine);
      const reasons: string[] = [];
      const skipped = { skipped: (r: string) => reasons.push(r) };
      const alter = await statement('ALTER TABLE orders ALTER COLUMN total TYPE bigint');
      expect(await estimateRuntime(engine, alter, [], skipped)).toBeUndefined();
      expect(await estimateRuntime(engine, alter, orders(0), skipped)).toBeUndefined();
      expect(await estimateRuntime(engine, alter, [{ schema: 'public', name: 'no_such_table', rows: 1000 }], skipped)).toBeUndefined();
      // 'row 1' is no integer: the statement runs on the emptied table, and fails on the seeded rows.
      expect(await estimateRuntime(engine, await statement('ALTER TABLE customers ALTER COLUMN email TYPE integer USING email::integer'), [{ schema: 'public', name: 'customers', rows: 1000 }], skipped)).toBeUndefined();
      expect(await estimateRuntime(engine, await statement('VACUUM FULL orders'), orders(1000), skipped)).toBeUndefined();
      expect(reasons).toEqual([
        expect.stringContaining('no table size is known'),
        expect.stringContaining('empty'),
        expect.stringContaining('no table public.no_such_table'),
        expect.stringMatching(/failed on pgarch's synthetic rows: invalid input syntax for type integer/),
        expect.stringContaining('VACUUM cannot run inside a transaction block'),
      ]);
      expect(await state(engine)).toEqual(before);
    });
  });
}

describe("the review checklist's runtime item", () => {
  const file = '/project/migrations/0002_change.sql';
  const text = 'ALTER TABLE orders ALTER COLUMN total TYPE bigint;\nCREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);\n';
  const migration: Migration = { id: '0002_change', file, text, up: { start: 0, end: text.length }, layout: 'numbered', transaction: 'none' };
  const base: Migration = { id: '0001_base', file: '/project/migrations/0001_base.sql', text: 'CREATE TABLE orders (id bigint, total int, created_at timestamptz);\n', up: { start: 0, end: 66 }, layout: 'numbered', transaction: 'none' };
  const finding = (rule: string, line: number): Finding => ({ rule, severity: 'warning', message: rule, location: { file, line, column: 1 } });
  const findings = [finding('change-column-type', 1), finding('table-rewrite', 1)];
  const estimate = (line: number, atRowsMs: number, extra: Partial<RuntimeEstimate> = {}): RuntimeEstimate => ({
    statement: { file, line, endLine: line, summary: line === 1 ? 'ALTER TABLE orders ALTER COLUMN total TYPE bigint' : 'CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at)' },
    tables: [{ schema: 'public', name: 'orders', rows: 1_000_000, sampledRows: 20_000 }],
    sampledRows: 20_000,
    sampleMs: atRowsMs / 50,
    fixedMs: 0.5,
    atRowsMs,
    at10xMs: atRowsMs * 10,
    model: 'linear',
    engine: 'embedded PostgreSQL 18.1 (PGlite 0.5.16)',
    ...extra,
  });
  const runtime = (runtimes?: Map<string, RuntimeEstimate[]>, with_ = findings) =>
    migrationChecklists({ history: [base, migration], reported: [migration], findings: with_, engine: 'PGlite', ...(runtimes ? { runtimes } : {}) })[0].items.find((i) => i.id === 'runtime')!;

  beforeAll(() => loadParser());

  it('needs a human, as before, when no size is known', () => {
    expect(runtime()).toMatchObject({ status: 'human', title: "Runtime at today's table sizes, and at 10x", detail: expect.stringContaining('pgarch trace') });
    expect(runtime(new Map())).toMatchObject({ status: 'human', detail: expect.stringContaining('--rows TABLE=N') });
  });

  it('says the estimate, and fails when at 10x a statement holding a blocking lock would take over a minute', () => {
    const item = runtime(new Map([[file, [estimate(1, 7200)]]]));
    expect(item.status).toBe('fail');
    expect(item.detail).toContain('About 7.2 s at 1,000,000 rows of orders, 1.2 min at 10x (line 1: ALTER TABLE orders ALTER COLUMN total TYPE bigint); estimated from 20,000 seeded rows on embedded PostgreSQL 18.1 (PGlite 0.5.16)');
    expect(item.detail).toMatch(/hold a lock that blocks the table for over a minute \(change-column-type, table-rewrite\)/);
    expect(item.rules).toEqual(['change-column-type', 'table-rewrite']);
  });

  it('passes when even at 10x every statement stays under a second', () => {
    const item = runtime(new Map([[file, [estimate(1, 40)]]]));
    expect(item).toMatchObject({ status: 'pass', detail: expect.stringContaining('About 40 ms at 1,000,000 rows of orders, 400 ms at 10x') });
  });

  it('needs a human between a second and a minute at 10x, or when the lock blocks nothing, or a statement was not estimated', () => {
    expect(runtime(new Map([[file, [estimate(1, 2100)]]]))).toMatchObject({
      status: 'human',
      detail: expect.stringMatching(/^About 2\.1 s at 1,000,000 rows of orders, 21 s at 10x \(line 1: .*\); estimated from 20,000 seeded rows on .* Over a second at 10x: check that the table's queries can wait that long/),
    });
    // Long, but CONCURRENTLY takes no lock that blocks writes: a human's call, with what was timed.
    const concurrent = runtime(new Map([[file, [estimate(2, 30_000, { model: 'n log n', at10xMs: 350_000, timedAs: 'CREATE INDEX without CONCURRENTLY', note: 'CONCURRENTLY scans the table twice.' })]]]), []);
    expect(concurrent).toMatchObject({ status: 'human', detail: expect.stringContaining('line 2 was timed as CREATE INDEX without CONCURRENTLY: CONCURRENTLY scans the table twice.') });
    expect(concurrent.detail).toContain('About 30 s at 1,000,000 rows of orders, 5.8 min at 10x');
    // The rewrite on line 1 has a finding but no estimate.
    const partial = runtime(new Map([[file, [estimate(2, 10)]]]));
    expect(partial).toMatchObject({ status: 'human', detail: expect.stringContaining('Not estimated: line 1 (change-column-type), line 1 (table-rewrite)') });
  });

  it('adds the statements up, each with its own figures', () => {
    const item = runtime(new Map([[file, [estimate(1, 50), estimate(2, 30)]]]));
    expect(item.detail).toContain('About 80 ms at 1,000,000 rows of orders, 800 ms at 10x (line 1 50 ms, 500 ms at 10x; line 2 30 ms, 300 ms at 10x)');
    expect(item.status).toBe('pass');
  });
});

describe('an estimate in the checklist, end to end on PGlite', () => {
  it('a real estimate of a rewrite reads as the item says', async () => {
    await loadParser();
    const engine = await openEngine();
    try {
      await engine.exec(SCHEMA);
      const file = '/project/migrations/0002_change.sql';
      const text = 'ALTER TABLE orders ALTER COLUMN total TYPE bigint;\n';
      const stmt = (await parseFile(text, file)).statements[0];
      const estimate = (await estimateRuntime(engine, stmt, orders(1_000_000)))!;
      const migration: Migration = { id: '0002_change', file, text, up: { start: 0, end: text.length }, layout: 'numbered', transaction: 'none' };
      const [checklist] = migrationChecklists({
        history: [migration],
        reported: [migration],
        findings: [{ rule: 'change-column-type', severity: 'warning', message: 'type change', location: { file, line: 1, column: 1 } }],
        engine: engine.description,
        runtimes: new Map([[file, [estimate]]]),
      });
      const item = checklist.items.find((i) => i.id === 'runtime')!;
      expect(item.detail).toMatch(/^About \d.* at 1,000,000 rows of orders, .* at 10x \(line 1: ALTER TABLE orders ALTER COLUMN total TYPE bigint\); estimated from 20,000 seeded rows on embedded PostgreSQL/);
      expect(['pass', 'human', 'fail']).toContain(item.status);
    } finally {
      await engine.close();
    }
  });
});
