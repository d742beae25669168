// `pgarch explain` end to end: queries explained on both engines with the schema and generated rows,
// writes rolled back, parameters (values or a generic plan), plan-only mode, errors located in the
// query file, and the CLI's text, JSON, --plan and --html outputs.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine/index.js';
import { explainQueries } from '../src/explain/explain.js';
import { analyzePlan } from '../src/explain/analyze.js';
import type { Plan } from '../src/explain/types.js';
import { walkPlan } from '../src/explain/parse-json.js';
import { explainStatement } from '../src/explain/run.js';
import { parseFile } from '../src/sql/parse.js';
import { pgarch } from './helpers/cli.js';
import { ENGINES } from './helpers/server.js';

const SCHEMA = 'test/fixtures/explain/schema.sql';
const QUERIES = 'test/fixtures/explain/queries.sql';
const ROWS = { customers: 2000, orders: 40000 };

for (const target of ENGINES) {
  describe(`explain on ${target.name}`, () => {
    it('explains each query of a file on the schema with generated rows, and finds the filtered scan', async () => {
      const report = await explainQueries({ files: [QUERIES], schema: [SCHEMA], rows: ROWS, database: target.database });
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(report.plans).toHaveLength(2);
      const [lost, byCustomer] = report.plans;
      expect(lost.location).toMatchObject({ file: QUERIES, line: 2, column: 1 });
      expect(lost.plan.analyzed).toBe(true);
      const scan = lost.findings.find((f) => f.rule === 'seq-scan-filter');
      expect(scan?.message).toMatch(/^Seq Scan on public\.orders removes 9\d\.\d% of 40,000 rows by filter \(.*\(status = 'lost'::text\).*\)/);
      expect(scan?.message).toContain('(total_cents > 35000)');
      expect(scan?.fix?.sql).toBe('CREATE INDEX CONCURRENTLY ON public.orders (status, total_cents);');
      expect(scan?.location).toMatchObject({ file: QUERIES, line: 2 });
      expect(walkPlan(byCustomer.plan.root).some((n) => n.index === 'orders_customer_id_idx')).toBe(true);
      expect(byCustomer.findings).toEqual([]);
      // Exclusive times add up to the root's inclusive time.
      const sum = lost.timings.reduce((s, t) => s + t.exclusiveMs, 0);
      expect(sum).toBeCloseTo(lost.timings[0].inclusiveMs, 3);
    });

    describe('with an engine', () => {
      let engine: Engine;
      beforeAll(async () => {
        engine = await openEngine({ database: target.database, scratch: true });
        await engine.exec(readFileSync(SCHEMA, 'utf8'));
        await engine.exec(`INSERT INTO customers (email, region) SELECT 'c' || g || '@example.com', 'eu' FROM generate_series(1, 100) g`);
      });
      afterAll(() => engine?.close());
      const statement = async (sql: string) => (await parseFile(sql)).statements[0];

      it('runs writes in a transaction that is rolled back: EXPLAIN ANALYZE changes nothing', async () => {
        const run = await explainStatement(engine, await statement('DELETE FROM customers WHERE id <= 50'));
        expect(run.plan.analyzed).toBe(true);
        expect(run.plan.root.nodeType).toBe('ModifyTable');
        await explainStatement(engine, await statement(`UPDATE customers SET email = 'x'`));
        const { rows } = await engine.query<{ n: number; x: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE email = 'x')::int AS x FROM customers`);
        expect(rows[0]).toEqual({ n: 100, x: 0 });
      });

      it('explains $n parameters with values, or as a generic plan without them', async () => {
        const stmt = await statement('SELECT id FROM orders WHERE customer_id = $1 AND status = $2');
        const withValues = await explainStatement(engine, stmt, { params: ['42', 'paid'] });
        expect(withValues.plan.analyzed).toBe(true);
        expect(withValues.generic).toBe(false);
        const generic = await explainStatement(engine, stmt);
        expect(generic.generic).toBe(true);
        expect(generic.plan.analyzed).toBe(false);
        expect(JSON.stringify(generic.plan.root.raw)).toContain('$1');
        // The prepared statement of the pre-16 path does not outlive the call.
        const { rows } = await engine.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements');
        expect(rows[0].n).toBe(0);
        await expect(explainStatement(engine, stmt, { params: ['42'] })).rejects.toThrow(/uses 2 parameters .* 1 --param value was given/);
      });

      it('proposes a partial index for a rare literal, but a plain one when the value was a --param', async () => {
        await engine.exec(`CREATE TABLE tickets (id int, state text); INSERT INTO tickets SELECT g, CASE WHEN g = 7 THEN 'rare' ELSE 'open' END FROM generate_series(1, 20000) g; ANALYZE tickets`);
        const fixOf = (run: { plan: Plan }, parameterValues: boolean) => analyzePlan(run.plan, { parameterValues }).findings.find((f) => f.rule === 'seq-scan-filter')?.fix?.sql;
        const literal = await explainStatement(engine, await statement(`SELECT id FROM tickets WHERE state = 'rare'`));
        expect(fixOf(literal, false)).toMatch(/ON public\.tickets \(state\) WHERE state = 'rare'::text;$/);
        const bound = await explainStatement(engine, await statement('SELECT id FROM tickets WHERE state = $1'), { params: ['rare'] });
        // 'rare' was this run's value of $1: the statement runs with others, so the index must serve them all.
        expect(fixOf(bound, true)).toBe('CREATE INDEX CONCURRENTLY ON public.tickets (state);');
      });

      it('explains a very large statement (a UNION ALL of 700 SELECTs)', async () => {
        // PGlite loses statements this large in the extended protocol; the engine falls back to the simple one.
        const sql = Array.from({ length: 700 }, (_, i) => `SELECT id FROM customers WHERE id > ${i}`).join('\nUNION ALL\n');
        const run = await explainStatement(engine, await statement(sql));
        expect(run.plan.root.nodeType).toBe('Append');
        expect(run.plan.root.children).toHaveLength(700);
      });

      it('plan-only mode does not execute', async () => {
        const run = await explainStatement(engine, await statement('SELECT count(*) FROM customers'), { analyze: false });
        expect(run.plan.analyzed).toBe(false);
        expect(run.plan.root.actual).toBeUndefined();
        expect(run.plan.executionMs).toBeUndefined();
      });
    });

    it('locates an execution error at the file:line:column of the offending name', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pgarch-explain-'));
      const file = join(dir, 'bad.sql');
      writeFileSync(file, 'SELECT 1;\n\nSELECT id,\n       totl_cents\nFROM orders;\nCREATE TABLE x (id int);\n');
      const report = await explainQueries({ files: [file], schema: [SCHEMA], database: target.database });
      const errors = report.findings.filter((f) => f.rule === 'execution-error');
      expect(errors[0]).toMatchObject({ location: { file, line: 4, column: 8 } });
      expect(errors[0].message).toMatch(/column "totl_cents" does not exist/);
      expect(errors[1]).toMatchObject({ location: { file, line: 6, column: 1 }, message: 'CREATE TABLE cannot be explained' });
      expect(report.plans).toHaveLength(1);
    });
  });
}

describe('pgarch explain (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-explain-cli-'));

  it('prints the plan tree with self time, rows est→act and a marker on the node an insight is about', async () => {
    const { code, stdout, stderr } = await pgarch(['explain', "SELECT id FROM orders WHERE status = 'lost' AND total_cents > 35000", '--schema', SCHEMA, '--rows', 'customers=2000', '--rows', 'orders=40000']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/self ms +self% +rows est→act +loops +node/);
    expect(stdout).toMatch(/#0 Seq Scan on public\.orders .*⚠ seq-scan-filter/);
    expect(stdout).toMatch(/warning seq-scan-filter #0 Seq Scan on public\.orders removes/);
    expect(stdout).toContain('fix: CREATE INDEX CONCURRENTLY ON public.orders (status, total_cents);');
  });

  it('writes JSON (the Report contract plus the plans) and a self-contained HTML page', async () => {
    const html = join(dir, 'plan.html');
    const { code, stdout } = await pgarch(['explain', QUERIES, '--schema', SCHEMA, '--rows', 'customers=2000', '--rows', 'orders=40000', '--format', 'json', '--html', html]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ tool: 'pgarch', summary: { errors: 0 } });
    expect(report.plans).toHaveLength(2);
    expect(report.findings.map((f: { rule: string }) => f.rule)).toContain('seq-scan-filter');
    expect(report.findings.every((f: { planNode?: number }) => typeof f.planNode === 'number')).toBe(true);
    expect(existsSync(html) && existsSync(join(dir, 'plan-2.html'))).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('seq-scan-filter');
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });

  it('analyses a plan given as JSON or as psql text, from a file or stdin', async () => {
    const engine = await openEngine();
    try {
      await engine.exec(`CREATE TABLE t (id int PRIMARY KEY, status text); INSERT INTO t SELECT g, CASE WHEN g % 500 = 0 THEN 'x' ELSE 'y' END FROM generate_series(1, 30000) g; ANALYZE t;`);
      const json = await engine.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM t WHERE status = 'x'`);
      const text = await engine.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM t WHERE status = 'x'`);
      writeFileSync(join(dir, 'plan.json'), JSON.stringify(json.rows[0]['QUERY PLAN'], null, 2));
      writeFileSync(join(dir, 'plan.txt'), text.rows.map((r) => r['QUERY PLAN']).join('\n'));
    } finally {
      await engine.close();
    }
    for (const file of ['plan.json', 'plan.txt']) {
      const { code, stdout } = await pgarch(['explain', '--plan', join(dir, file), '--format', 'json']);
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.plans[0].plan.root.nodeType).toBe('Seq Scan');
      expect(report.findings.map((f: { rule: string }) => f.rule)).toEqual(['seq-scan-filter']);
    }
    const missing = await pgarch(['explain', '--plan', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^pgarch: no such file: .*nope\.json\n$/);
  });

  it('says what to do when the embedded engine has no schema', async () => {
    const { code, stdout } = await pgarch(['explain', 'SELECT * FROM orders']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/error execution-error relation "orders" does not exist/);
    expect(stdout).toMatch(/hint: The embedded engine starts empty: give the schema with --schema FILE/);
  });
});
