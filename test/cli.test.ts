// The CLI as a user meets it: output, locations, formats, exit codes and one-line errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../src/engine/index.js';
import { applyFiles } from '../src/lint/apply.js';
import { readSqlFiles } from '../src/lint/schema.js';
import type { Finding, Report } from '../src/types.js';
import { pgarch } from './helpers/cli.js';
import { describeServer, SERVER_URL } from './helpers/server.js';

const SHOP = 'examples/shop';
const M = 'examples/shop/migrations';
const where = (f: Finding) => `${f.rule} ${f.location?.file}:${f.location?.line}:${f.location?.column}`;

/** The findings the shop example is built to produce (see examples/shop/README.md). */
const SHOP_FINDINGS = [
  `repeating-columns ${M}/0001_create_customers.sql:26:5`,
  `soft-delete-no-partial-index ${M}/0001_create_customers.sql:30:5`,
  `missing-timestamps ${M}/0002_create_catalog.sql:14:14`,
  `int-primary-key ${M}/0002_create_catalog.sql:15:5`,
  `prefer-identity ${M}/0002_create_catalog.sql:15:5`,
  `prefer-text ${M}/0002_create_catalog.sql:16:5`,
  `fk-missing-index ${M}/0002_create_catalog.sql:27:5`,
  `int-primary-key ${M}/0002_create_catalog.sql:27:5`,
  `money-type ${M}/0002_create_catalog.sql:28:5`,
  `status-without-constraint ${M}/0002_create_catalog.sql:30:5`,
  `prefer-timestamptz ${M}/0003_create_orders.sql:18:5`,
  `updated-at-no-trigger ${M}/0003_create_orders.sql:20:5`,
  `duplicate-index ${M}/0003_create_orders.sql:31:1`,
  `missing-timestamps ${M}/0003_create_orders.sql:33:14`,
  `fk-missing-index ${M}/0003_create_orders.sql:40:5`,
  `missing-timestamps ${M}/0004_create_payments_and_audit_log.sql:10:14`,
  `missing-primary-key ${M}/0004_create_payments_and_audit_log.sql:23:14`,
  `missing-timestamps ${M}/0004_create_payments_and_audit_log.sql:23:14`,
  `fk-missing-index ${M}/0005_payments_integration.sql:10:9`,
];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pgarch-cli-'));
});

describe('pgarch lint schema (embedded PGlite)', () => {
  let shop: Report;
  beforeAll(async () => {
    const run = await pgarch(['lint', 'schema', SHOP, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0); // warnings only
    shop = JSON.parse(run.stdout);
  });

  it('prints the JSON contract with rule ids and file:line:column locations', () => {
    expect(Object.keys(shop)).toEqual(['tool', 'version', 'findings', 'summary', 'inputs']);
    expect(shop.inputs).toEqual([{ path: 'examples/shop/migrations', layout: 'numbered', tool: 'plain SQL files', files: 9 }]);
    expect(shop.tool).toBe('pgarch');
    expect(Object.keys(shop.summary)).toEqual(['errors', 'warnings', 'infos', 'files', 'statements', 'elapsedMs']);
    expect(shop.findings.map(where)).toEqual(SHOP_FINDINGS);
    expect(shop.summary).toMatchObject({ errors: 0, warnings: 14, infos: 5, files: 9 });
    const fk = shop.findings.find((f) => f.rule === 'fk-missing-index')!;
    expect(fk.fix?.sql).toBe('CREATE INDEX CONCURRENTLY products_category_id_idx ON public.products (category_id);');
    expect(fk.hint).toBeTruthy();
  });

  it('prints grouped text with the location, rule, hint and a summary line', async () => {
    const run = await pgarch(['lint', 'schema', SHOP]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${M}/0002_create_catalog.sql`);
    expect(run.stdout).toMatch(/27:5\s+warning\s+Foreign key public\.products\(category_id\).*fk-missing-index/);
    expect(run.stdout).toContain('hint: Index products(category_id)');
    expect(run.stdout).toMatch(/0 errors, 14 warnings, 5 infos in 9 files/);
  });

  it('exits 1 with more warnings than --max-warnings', async () => {
    expect((await pgarch(['lint', 'schema', SHOP, '--max-warnings', '13', '-q'])).code).toBe(1);
    expect((await pgarch(['lint', 'schema', SHOP, '--max-warnings', '14', '-q'])).code).toBe(0);
  });

  it('writes SARIF, GitHub annotations and markdown', async () => {
    const sarif = JSON.parse((await pgarch(['lint', 'schema', SHOP, '--format', 'sarif'])).stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(19);
    const fk = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'fk-missing-index');
    expect(fk.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: `${M}/0002_create_catalog.sql` },
      region: { startLine: 27, startColumn: 5 },
    });
    const github = await pgarch(['lint', 'schema', SHOP, '--format', 'github']);
    expect(github.stdout).toContain(`::warning file=${M}/0002_create_catalog.sql,line=27,col=5,title=fk-missing-index::`);
    const md = await pgarch(['lint', 'schema', SHOP, '--format', 'markdown', '--output', join(tmp, 'r.md')]);
    expect(md.stdout).toBe('');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(tmp, 'r.md'), 'utf8')).toMatch(/\| warning \| `fk-missing-index` \| examples\/shop\/migrations\/0002_create_catalog\.sql:27:5 \|/);
  });

  it('review runs the schema lint, the migration lint and the query lint on the project', async () => {
    const run = await pgarch(['review', SHOP, '--format', 'json']);
    expect(run.code).toBe(1); // the example renames a column in place: an error
    const found = (JSON.parse(run.stdout) as Report).findings.map(where);
    // everything the schema lint finds…
    for (const f of SHOP_FINDINGS) expect(found).toContain(f);
    // …and the migration rules on examples/shop/migrations, each reported once
    expect(found).toContain(`rename-column ${M}/0006_customer_profile.sql:24:1`);
    expect(found).toContain(`change-column-type ${M}/0007_payments_amount_bigint.sql:10:18`);
    expect(found).toContain(`backfill-in-transaction ${M}/0006_customer_profile.sql:17:1`);
    // …and the query rules on examples/shop/queries, against the schema the migrations build: the query
    // in code that still reads the column 0006 renamed is rejected by PostgreSQL itself
    expect(found).toContain('execution-error examples/shop/queries/dashboard.ts:34:56');
    expect(found).toContain('non-sargable-predicate examples/shop/queries/orders.sql:17:7');
    expect(found).toContain('count-for-existence examples/shop/queries/orders.sql:4:8');
    expect(new Set(found).size).toBe(found.length);
  });
});

describe('bad input', () => {
  it('reports a syntax error at file:line:column and exits 1', async () => {
    const file = join(tmp, 'bad.sql');
    writeFileSync(file, 'CREATE TABLE ok (id int PRIMARY KEY);\nSELECT id FROM ok WHERE;\nCREATE TABLE after_error (id int PRIMARY KEY);\n');
    const run = await pgarch(['lint', 'schema', file, '--format', 'json']);
    expect(run.code).toBe(1);
    const report: Report = JSON.parse(run.stdout);
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors.map(where)).toEqual([`syntax-error ${file}:2:24`]);
    expect(errors[0].message).toContain('syntax error at or near ";"');
    const text = await pgarch(['lint', 'schema', file]);
    expect(text.stdout).toMatch(/2:24\s+error\s+Syntax error/);
    expect(text.stderr).toBe('');
  });

  it('reports a statement that fails to execute at the failing token', async () => {
    const file = join(tmp, 'exec.sql');
    writeFileSync(file, 'CREATE TABLE t (id int PRIMARY KEY);\nCREATE VIEW v AS\n  SELECT id, missing_col FROM t;\nCREATE INDEX t_idx ON t (nope);\n');
    const run = await pgarch(['lint', 'schema', file, '--format', 'json']);
    expect(run.code).toBe(1);
    const [view, index] = (JSON.parse(run.stdout) as Report).findings.filter((f) => f.rule === 'execution-error');
    expect(where(view)).toBe(`execution-error ${file}:3:14`);
    expect(view.message).toContain('column "missing_col" does not exist');
    // PostgreSQL gives no position for this one: the statement's own location.
    expect(where(index)).toBe(`execution-error ${file}:4:1`);
  });

  it('honours inline ignore directives and the config file', async () => {
    const file = join(tmp, 'ignored.sql');
    writeFileSync(file, '-- pgarch-ignore missing-primary-key (append-only log)\nCREATE TABLE log_a (msg text);\nCREATE TABLE log_b (msg text);\n');
    const run = await pgarch(['lint', 'schema', file, '--format', 'json']);
    const pk = (r: string) => (JSON.parse(r) as Report).findings.filter((f) => f.rule === 'missing-primary-key');
    expect(pk(run.stdout).map((f) => f.object)).toEqual(['public.log_b']);
    const config = join(tmp, 'pgarch.config.json');
    writeFileSync(config, JSON.stringify({ rules: { 'missing-primary-key': 'error' } }));
    const strict = await pgarch(['lint', 'schema', file, '--format', 'json', '--config', config]);
    expect(strict.code).toBe(1);
    expect(pk(strict.stdout).map((f) => f.severity)).toEqual(['error']);
    writeFileSync(config, JSON.stringify({ rules: { 'missing-primary-key': 'loud' } }));
    const invalid = await pgarch(['lint', 'schema', file, '--config', config]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
    expect(invalid.stderr).toContain('invalid config');
  });

  it('an unknown file is one line on stderr and exit 2', async () => {
    const run = await pgarch(['lint', 'schema', 'no/such/dir']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('pgarch: no such file or directory: no/such/dir\n');
    expect(run.stdout).toBe('');
  });

  it('a connection error is one redacted line and exit 2', async () => {
    const run = await pgarch(['lint', 'schema', '--database', 'postgres://app:Sup3rSecret@127.0.0.1:1/app']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('Sup3rSecret');
    expect(run.stderr).toMatch(/^pgarch: cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: .*\n$/);
  });

  it('usage errors exit 2; --help shows examples; --version prints the version', async () => {
    expect((await pgarch(['lint', 'schema', SHOP, '--format', 'yaml'])).code).toBe(2);
    expect((await pgarch(['lint', 'schema'])).code).toBe(2);
    const help = await pgarch(['lint', 'schema', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('pgarch lint schema examples/shop');
    const version = await pgarch(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describeServer('pgarch lint schema --database (real PostgreSQL 15)', () => {
  const liveDb = `pgarch_test_shop_${process.pid}`;
  const liveUrl = SERVER_URL.replace(/\/[^/]*$/, `/${liveDb}`);
  let admin: pg.Client;

  beforeAll(async () => {
    // Load the example into a real database, the way a team's database would hold it.
    admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${liveDb}`);
    await admin.query(`CREATE DATABASE ${liveDb}`);
    const engine = await openEngine({ database: liveUrl });
    expect(await applyFiles(engine, await readSqlFiles([SHOP]))).toEqual([]);
    await engine.close();
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${liveDb} WITH (FORCE)`);
    await admin.end();
  });

  it('applies files in a scratch database and finds the same as PGlite', async () => {
    const run = await pgarch(['lint', 'schema', SHOP, '--database', SERVER_URL, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as Report).findings.map(where)).toEqual(SHOP_FINDINGS);
  });

  it('lints the live database read-only, located through the files with --live', async () => {
    const run = await pgarch(['lint', 'schema', SHOP, '--database', liveUrl, '--live', '--format', 'json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Report).findings.map(where)).toEqual(SHOP_FINDINGS);
  });

  it('lints the live database alone, naming objects', async () => {
    const run = await pgarch(['lint', 'schema', '--database', liveUrl, '--format', 'json']);
    const report: Report = JSON.parse(run.stdout);
    expect(report.findings.filter((f) => ['fk-missing-index', 'missing-primary-key'].includes(f.rule)).map((f) => `${f.rule} ${f.object}`).sort()).toEqual([
      'fk-missing-index public.order_items.order_items_product_id_fkey',
      'fk-missing-index public.payments.payments_order_id_fkey',
      'fk-missing-index public.products.products_category_id_fkey',
      'missing-primary-key public.audit_log',
    ]);
    expect(report.summary.files).toBe(0);
  });
});
