// `pgarch lint queries` as a user meets it: the shop example's findings and exit code, with and
// without a catalog, sizes from --assume-rows and from a live database, formats, and one-line errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../src/types.js';
import { pgarch } from './helpers/cli.js';
import { describeServer, SERVER_URL } from './helpers/server.js';

const Q = 'examples/shop/queries';
const SCHEMA = 'examples/shop/migrations';
const where = (f: Finding) => `${f.rule} ${f.location?.file}:${f.location?.line}:${f.location?.column}`;

/** What the shop's queries are built to produce against the shop's schema (see examples/shop/README.md). */
const SHOP_QUERY_FINDINGS = [
  `select-star ${Q}/catalog.sql:4:8`,
  `offset-pagination ${Q}/catalog.sql:9:8`,
  `leading-wildcard-like ${Q}/catalog.sql:14:7`,
  `non-sargable-predicate ${Q}/customers.sql:6:7`,
  `select-star ${Q}/customers.sql:10:8`,
  `not-in-subquery ${Q}/customers.sql:18:7`,
  `offset-pagination ${Q}/dashboard.ts:15:23`,
  `leading-wildcard-like ${Q}/dashboard.ts:26:11`,
  `execution-error ${Q}/dashboard.ts:34:56`,
  `count-for-existence ${Q}/orders.sql:4:8`,
  `between-timestamps ${Q}/orders.sql:12:7`,
  `non-sargable-predicate ${Q}/orders.sql:17:7`,
];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pgarch-queries-'));
});

describe('pgarch lint queries --schema (embedded PGlite)', () => {
  let report: Report;
  let code: number;
  beforeAll(async () => {
    const run = await pgarch(['lint', 'queries', Q, '--schema', SCHEMA, '--format', 'json']);
    expect(run.stderr).toBe('');
    code = run.code;
    report = JSON.parse(run.stdout);
  });

  it('reports every deliberate problem of the shop queries, .sql and .ts, at file:line:column', () => {
    expect(report.findings.map(where)).toEqual(SHOP_QUERY_FINDINGS);
    expect(report.summary).toMatchObject({ errors: 1, warnings: 11, infos: 0, files: 4, statements: 16 });
  });

  it('exits 1: a query in dashboard.ts still reads a column renamed by migration 0006', () => {
    expect(code).toBe(1);
    const error = report.findings.find((f) => f.rule === 'execution-error')!;
    expect(error.message).toBe('column "full_name" does not exist');
  });

  it('uses the catalog: indexes, NOT NULL columns, column lists', () => {
    const byRule = (rule: string, file: string) => report.findings.find((f) => f.rule === rule && f.location?.file?.endsWith(file))!;
    expect(byRule('non-sargable-predicate', 'customers.sql').message).toContain('from index customers_email_key');
    expect(byRule('non-sargable-predicate', 'customers.sql').fix?.sql).toContain('CREATE INDEX CONCURRENTLY customers_lower_email_idx ON public.customers (lower(email));');
    expect(byRule('not-in-subquery', 'customers.sql').message).toContain('public.orders.customer_id is NOT NULL today');
    expect(byRule('select-star', 'customers.sql').fix?.sql).toContain('SELECT id, email, display_name, phone1, phone2, created_at, updated_at, deleted_at, marketing_opt_in');
    expect(byRule('offset-pagination', 'dashboard.ts').fix?.sql).toContain('WHERE customer_id = $1 AND (created_at, id) < ($2, $3)');
    expect(byRule('leading-wildcard-like', 'dashboard.ts').fix?.sql).toContain('USING gin (display_name gin_trgm_ops)');
    for (const f of report.findings) expect(f.hint).toBeTruthy();
  });

  it('prints grouped text with hints and fixes', async () => {
    const run = await pgarch(['lint', 'queries', Q, '--schema', SCHEMA]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${Q}/dashboard.ts`);
    expect(run.stdout).toMatch(/26:11\s+warning\s+display_name ILIKE '%' \|\| \$1 \|\| '%' starts with a wildcard.*leading-wildcard-like/);
    expect(run.stdout).toContain('fix: Keyset pagination');
    expect(run.stdout).toMatch(/1 error, 11 warnings, 0 infos in 4 files \(16 statements/);
  });

  it('writes SARIF and GitHub annotations; -q keeps errors only', async () => {
    const sarif = await pgarch(['lint', 'queries', `${Q}/orders.sql`, '--schema', SCHEMA, '--format', 'sarif']);
    const log = JSON.parse(sarif.stdout);
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['count-for-existence', 'between-timestamps', 'non-sargable-predicate']);
    const github = await pgarch(['lint', 'queries', `${Q}/dashboard.ts`, '--schema', SCHEMA, '--format', 'github']);
    expect(github.stdout).toContain(`::error file=${Q}/dashboard.ts,line=34,col=56,title=execution-error::column "full_name" does not exist`);
    const quiet = await pgarch(['lint', 'queries', Q, '--schema', SCHEMA, '-q']);
    expect(quiet.stdout).toContain('execution-error');
    expect(quiet.stdout).not.toContain('select-star');
  });
});

describe('pgarch lint queries without a catalog', () => {
  it('judges from the SQL alone: no execution check, non-sargable as info, no column lists', async () => {
    const run = await pgarch(['lint', 'queries', Q, '--format', 'json']);
    expect(run.code).toBe(0);
    const report: Report = JSON.parse(run.stdout);
    expect(report.findings.map(where)).toEqual(SHOP_QUERY_FINDINGS.filter((f) => !f.startsWith('execution-error')));
    expect(report.findings.filter((f) => f.rule === 'non-sargable-predicate').map((f) => f.severity)).toEqual(['info', 'info']);
    expect(report.findings.find((f) => f.rule === 'select-star')?.fix).toBeUndefined();
    expect(report.summary).toMatchObject({ errors: 0, warnings: 9, infos: 2 });
  });

  it('--assume-rows sizes a table for exact-count-large-table; the config silences a rule', async () => {
    const file = join(tmp, 'stats.sql');
    writeFileSync(file, 'SELECT count(*) FROM orders;\n');
    const quiet = await pgarch(['lint', 'queries', file, '--format', 'json']);
    expect(JSON.parse(quiet.stdout).findings).toEqual([]);
    const sized = await pgarch(['lint', 'queries', file, '--assume-rows', 'orders=50000000', '--format', 'json']);
    const [f] = JSON.parse(sized.stdout).findings as Finding[];
    expect(where(f)).toBe(`exact-count-large-table ${file}:1:8`);
    expect(f.message).toContain('~50,000,000 rows');
    expect(f.fix?.sql).toContain("WHERE oid = 'orders'::regclass;");
    const small = await pgarch(['lint', 'queries', file, '--assume-rows', 'orders=500', '--format', 'json']);
    expect(JSON.parse(small.stdout).findings).toEqual([]);

    const config = join(tmp, 'pgarch.config.json');
    writeFileSync(config, JSON.stringify({ rules: { 'exact-count-large-table': 'off' } }));
    const off = await pgarch(['lint', 'queries', file, '--assume-rows', 'orders=50000000', '--config', config, '--format', 'json']);
    expect(JSON.parse(off.stdout).findings).toEqual([]);
  });

  it('an UPDATE without WHERE is an error (exit 1); --max-warnings counts warnings', async () => {
    const file = join(tmp, 'batch.sql');
    writeFileSync(file, "UPDATE orders SET status = 'cancelled';\n");
    const run = await pgarch(['lint', 'queries', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1:1\s+error\s+UPDATE without WHERE changes every row of orders\s+update-without-where/);
    expect((await pgarch(['lint', 'queries', `${Q}/catalog.sql`, '--max-warnings', '2', '-q'])).code).toBe(1);
    expect((await pgarch(['lint', 'queries', `${Q}/catalog.sql`, '--max-warnings', '3', '-q'])).code).toBe(0);
  });
});

describe('pgarch lint queries: usage and input errors', () => {
  it('exit 2 with one line for a missing file, an unsupported file, --live without a database', async () => {
    const missing = await pgarch(['lint', 'queries', 'no/such/dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('pgarch: no such file or directory: no/such/dir\n');
    const readme = await pgarch(['lint', 'queries', 'examples/shop/README.md']);
    expect(readme.code).toBe(2);
    expect(readme.stderr.trim().split('\n')).toHaveLength(1);
    expect(readme.stderr).toContain('not a query file: examples/shop/README.md');
    const live = await pgarch(['lint', 'queries', Q, '--live']);
    expect(live.code).toBe(2);
    expect(live.stderr).toBe('pgarch: --live needs --database URL (or DATABASE_URL)\n');
    const rows = await pgarch(['lint', 'queries', Q, '--assume-rows', 'orders']);
    expect(rows.code).toBe(2);
  });

  it('--help shows examples and the exit codes', async () => {
    const help = await pgarch(['lint', 'queries', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('$ pgarch lint queries examples/shop/queries --schema examples/shop/migrations');
    expect(help.stdout).toContain('--assume-rows <table=N>');
    expect(help.stdout).toContain('Exit codes: 0 no errors');
  });
});

describeServer('pgarch lint queries --database (real PostgreSQL 15)', () => {
  const liveDb = `pgarch_queries_live_${process.pid}`;
  let admin: pg.Client;
  let liveUrl: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${liveDb}`);
    await admin.query(`CREATE DATABASE ${liveDb}`);
    const url = new URL(SERVER_URL);
    url.pathname = `/${liveDb}`;
    liveUrl = url.toString();
    // A "production" database: the shop schema with 20,000 orders, analyzed.
    const db = new pg.Client({ connectionString: liveUrl });
    await db.connect();
    try {
      for (const name of ['0001_create_customers', '0002_create_catalog', '0003_create_orders', '0004_create_payments_and_audit_log', '0005_payments_integration', '0006_customer_profile']) {
        await db.query(readFileSync(`${SCHEMA}/${name}.sql`, 'utf8'));
      }
      await db.query(`INSERT INTO customers (email, display_name, marketing_opt_in) VALUES ('a@example.com', 'A', false)`);
      await db.query(`INSERT INTO orders (customer_id) SELECT 1 FROM generate_series(1, 20000)`);
      await db.query('ANALYZE');
    } finally {
      await db.end();
    }
  }, 60_000);

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${liveDb} WITH (FORCE)`).catch(() => {});
    await admin?.end();
  });

  it('applies --schema in a scratch database and finds what PGlite finds', async () => {
    const run = await pgarch(['lint', 'queries', Q, '--schema', SCHEMA, '--database', SERVER_URL, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as Report).findings.map(where)).toEqual(SHOP_QUERY_FINDINGS);
  });

  it('reads a live database read-only: its statistics size exact-count-large-table, and nothing is created', async () => {
    const file = join(tmp, 'live.sql');
    writeFileSync(file, "SELECT count(*) FROM orders;\nSELECT id FROM customers WHERE lower(email) = 'a@example.com';\n");
    const run = await pgarch(['lint', 'queries', file, '--database', liveUrl, '--live', '--format', 'json']);
    expect(run.stderr).toBe('');
    const report: Report = JSON.parse(run.stdout);
    expect(report.findings.map(where)).toEqual([`exact-count-large-table ${file}:1:8`, `non-sargable-predicate ${file}:2:32`]);
    expect(report.findings[0].message).toContain('~20,000 rows');
    // On a live database the expression index is not tried out: the fix says so.
    expect(report.findings[1].fix?.description).toContain('not tried on a live database');
    const check = new pg.Client({ connectionString: liveUrl });
    await check.connect();
    const indexes = await check.query(`select indexname from pg_indexes where tablename = 'customers' order by 1`);
    await check.end();
    expect(indexes.rows.map((r) => r.indexname)).toEqual(['customers_email_key', 'customers_pkey']);
  });

  it('--database alone (no --schema) means the live catalog', async () => {
    const file = join(tmp, 'typo.sql');
    writeFileSync(file, 'SELECT id, full_name FROM customers WHERE id = 1;\n');
    const run = await pgarch(['lint', 'queries', file, '--database', liveUrl, '--format', 'json']);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as Report).findings.map(where)).toEqual([`execution-error ${file}:1:12`]);
  });
});
