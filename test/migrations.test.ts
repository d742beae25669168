// pgarch lint migrations end to end: layouts, deployments, --since/--only, parse-only mode, size
// awareness, version awareness and execution errors.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverMigrations } from '../src/migrate/discover.js';
import { lintMigrations } from '../src/migrate/lint.js';
import type { Finding, Report } from '../src/types.js';
import { pgarch } from './helpers/cli.js';
import { describeServer, ENGINES, SERVER_URL } from './helpers/server.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-mig-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const rules = (findings: Finding[]) => findings.map((f) => `${f.rule}@${f.location?.file?.split('/').slice(-2).join('/')}:${f.location?.line}`);

describe('migration discovery', () => {
  it('finds every common layout in apply order', () => {
    const flat = project({ '10_c.sql': 'select 1;', '2_b.sql': 'select 1;', '1_a.sql': 'select 1;', 'queries.txt': '' });
    expect(discoverMigrations([flat]).map((m) => m.id)).toEqual(['1_a', '2_b', '10_c']);

    const folders = project({ '2024_02_b/up.sql': 'select 2;', '2024_02_b/down.sql': 'select -2;', '2024_01_a/up.sql': 'select 1;' });
    const f = discoverMigrations([folders]);
    expect(f.map((m) => [m.id, m.layout, m.down?.text ?? null])).toEqual([
      ['2024_01_a', 'diesel', null],
      ['2024_02_b', 'diesel', 'select -2;'],
    ]);

    const paired = project({ '000002_b.up.sql': 'select 2;', '000001_a.up.sql': 'select 1;', '000001_a.down.sql': 'select -1;' });
    expect(discoverMigrations([paired]).map((m) => [m.id, m.layout, Boolean(m.down)])).toEqual([
      ['000001_a', 'golang-migrate', true],
      ['000002_b', 'golang-migrate', false],
    ]);

    const dbmate = project({ '20240101_a.sql': '-- migrate:up\ncreate table a (id int);\n\n-- migrate:down\ndrop table a;\n' });
    const [d] = discoverMigrations([dbmate]);
    expect(d.layout).toBe('dbmate');
    expect(d.text.slice(d.up.start, d.up.end).trim()).toBe('create table a (id int);');
    expect(d.down && d.down.text.slice(d.down.start, d.down.end).trim()).toBe('drop table a;');

    const prisma = project({ '20240102_b/migration.sql': 'select 2;', '20240101_a/migration.sql': 'select 1;', 'migration_lock.toml': '' });
    expect(discoverMigrations([prisma]).map((m) => [m.id, m.layout])).toEqual([
      ['20240101_a', 'prisma'],
      ['20240102_b', 'prisma'],
    ]);

    const flyway = project({ 'V1.10__c.sql': '', 'V1.9__b.sql': '', 'V1__a.sql': '', 'R__views.sql': '' });
    expect(discoverMigrations([flyway]).map((m) => m.id)).toEqual(['V1__a', 'V1.9__b', 'V1.10__c', 'R__views']);

    const odd = project({ 'a/001.forward.sql': '', 'a/001.backward.sql': '', 'b/002.forward.sql': '' });
    expect(discoverMigrations([odd], { pattern: '**/*.forward.sql' }).map((m) => m.file.split('/').slice(-2).join('/'))).toEqual(['a/001.forward.sql', 'b/002.forward.sql']);
  });
});

describe('lint migrations (embedded)', () => {
  const base = '0001_create.sql';
  const files = {
    [base]: 'CREATE TABLE orders (id int PRIMARY KEY, status text, total numeric);\nCREATE INDEX orders_status_idx ON orders (status);\n',
    '0002_index.sql': '-- an index on an existing table\nCREATE INDEX orders_total_idx ON orders (total);\n',
    '0003_new_table.sql': 'CREATE TABLE items (id int PRIMARY KEY, order_id int);\nCREATE INDEX items_order_idx ON items (order_id);\nALTER TABLE items ALTER COLUMN id TYPE bigint;\n',
  };

  it('reports statements on tables from earlier migrations, not on tables the same migration created', async () => {
    const dir = project(files);
    const { report } = await lintMigrations({ paths: [dir] });
    const found = rules(report.findings);
    expect(found).toContain(`create-index-non-concurrent@${dir.split('/').pop()}/0002_index.sql:2`);
    // orders was created in 0001 itself; items in 0003 itself: both new there.
    expect(found.filter((f) => f.includes('0001_create') || f.includes('0003_new_table'))).toEqual([]);
    expect(report.summary.files).toBe(3);
  });

  it('--only reports one migration while the earlier ones still build the catalog', async () => {
    const dir = project(files);
    const { report } = await lintMigrations({ paths: [dir], only: [join(dir, '0002_index.sql')] });
    expect(report.findings.map((f) => f.rule)).toContain('create-index-non-concurrent');
    expect(report.findings.every((f) => f.location?.file?.endsWith('0002_index.sql'))).toBe(true);
    expect(report.summary.files).toBe(1);
  });

  it('--since reports only migrations changed since a git ref, and treats their new tables as new', async () => {
    const dir = project(files);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'start');
    git('add', '0001_create.sql');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'base');
    // 0002 and 0003 are new since HEAD: undeployed together, so nothing they create is "existing".
    writeFileSync(join(dir, '0004_more.sql'), 'CREATE INDEX items_id_idx ON items (id);\n');
    const { report } = await lintMigrations({ paths: [dir], since: 'HEAD' });
    expect(report.summary.files).toBe(3);
    expect(rules(report.findings).filter((f) => f.startsWith('create-index'))).toEqual([`create-index-non-concurrent@${dir.split('/').pop()}/0002_index.sql:2`]);
    await expect(lintMigrations({ paths: [dir], since: 'no-such-ref' })).rejects.toThrow(/--since no-such-ref/);
  });

  it('drops findings on tables known to be small to info (--assume-rows)', async () => {
    const dir = project(files);
    const small = await lintMigrations({ paths: [dir], assumeRows: { orders: 500 } });
    expect(small.report.findings.find((f) => f.rule === 'create-index-non-concurrent')?.severity).toBe('info');
    const large = await lintMigrations({ paths: [dir], assumeRows: { 'public.orders': 5_000_000 } });
    expect(large.report.findings.find((f) => f.rule === 'create-index-non-concurrent')?.severity).toBe('warning');
  });

  it('missing-lock-timeout: one finding per transaction, at the first statement, naming the others', async () => {
    const dir = project({
      '0001_base.sql': 'CREATE TABLE acc (id bigint PRIMARY KEY);\nCREATE TABLE ord (id bigint PRIMARY KEY);\n',
      '0002_change.sql': 'ALTER TABLE acc ADD COLUMN a int;\nALTER TABLE ord ADD COLUMN b int;\nBEGIN;\nALTER TABLE acc ADD COLUMN c int;\nCOMMIT;\nALTER TABLE acc ADD COLUMN d int;\n',
    });
    const { report } = await lintMigrations({ paths: [dir] });
    const found = report.findings.filter((f) => f.rule === 'missing-lock-timeout');
    expect(found.map((f) => [f.location?.line, f.related?.map((l) => l.line) ?? []])).toEqual([
      [1, [2, 6]],
      [4, []],
    ]);
    expect(found[0].message).toMatch(/; so do 2 more statements in this file \(lines 2, 6, on public\.ord\)$/);
  });

  it.each(ENGINES)('one finding per hazard ($name): a measured rewrite once, nothing but the error on a statement that failed', async ({ database }) => {
    const dir = project({
      '0001_base.sql': 'CREATE TABLE acc (id int PRIMARY KEY, code text);\nCREATE INDEX acc_code_idx ON acc (code);\n',
      '0002_change.sql': [
        'SET lock_timeout = \'2s\';',
        'REINDEX TABLE acc;',
        'ALTER TABLE acc ALTER COLUMN id TYPE bigint;',
        'ALTER TABLE acc ALTER COLUMN code TYPE int;',
        '',
      ].join('\n'),
    });
    const { report } = await lintMigrations({ paths: [dir], database });
    const at = (line: number) => report.findings.filter((f) => f.location?.file?.endsWith('0002_change.sql') && f.location?.line === line).map((f) => f.rule).sort();
    // REINDEX rebuilds the indexes (measured as new relfilenodes): its own rule says so, not table-rewrite too.
    expect(at(2)).toEqual(['reindex-non-concurrent']);
    expect(at(3)).toContain('change-column-type');
    expect(at(3)).not.toContain('table-rewrite');
    // text -> int has no implicit cast: the statement failed, so it took no lock and rewrote nothing.
    expect(at(4)).toEqual(['execution-error']);
  });

  it('reports execution errors at the failing token and keeps going', async () => {
    const dir = project({
      '0001_a.sql': 'CREATE TABLE t (id int PRIMARY KEY);\n',
      '0002_b.sql': 'CREATE VIEW v AS\n  SELECT nope FROM t;\nCREATE INDEX t_id_idx ON t (id);\n',
      '0003_c.sql': 'SELECT 1 FROM;\n',
    });
    const { report } = await lintMigrations({ paths: [dir] });
    const errs = report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}:${f.location?.line}:${f.location?.column}`);
    expect(errs).toEqual(['execution-error:2:10', 'syntax-error:1:14']);
    // the statement after the failing one still ran and was linted
    expect(report.findings.some((f) => f.rule === 'create-index-non-concurrent' && f.location?.line === 3)).toBe(true);
  });

  it('statements sent to the engine together still fail, and are reported, one at a time', async () => {
    // Runs of statements with no catalog read between them go to the engine in one round trip; a failure
    // among them must look exactly as when they run one by one: the error at its token, the rest still
    // run, and statements that behave differently in a transaction block (LOCK, ADD VALUE) are never sent together.
    const dir = project({
      '0001_base.sql': "CREATE TABLE acc (id bigint PRIMARY KEY, name text);\nCREATE TYPE mood AS ENUM ('ok');\nINSERT INTO acc VALUES (1, NULL);\n",
      '0002_batch.sql': [
        'CREATE TABLE t1 (id int);',
        'CREATE TABLE t2 (x nosuchtype);',
        'CREATE INDEX t1_idx ON t1 (id);',
        'ALTER TABLE t2 ADD COLUMN z int;',
        'ALTER TABLE acc ADD COLUMN c1 int;',
        'ALTER TABLE acc ALTER COLUMN c1 SET NOT NULL;',
        'LOCK TABLE acc;',
        "ALTER TYPE mood ADD VALUE 'sad';",
        "CREATE TABLE t3 (m mood DEFAULT 'sad');",
        'BEGIN;',
        'CREATE TABLE t4 (id int);',
        'ALTER TABLE t4 ADD COLUMN bogus nosuchtype;',
        'CREATE INDEX t4_idx ON t4 (id);',
        'COMMIT;',
        'CREATE INDEX t4_idx ON t4 (id);',
        'ALTER TABLE acc ALTER COLUMN name SET NOT NULL;',
        '',
      ].join('\n'),
    });
    const { report } = await lintMigrations({ paths: [dir] });
    const errs = report.findings.filter((f) => f.rule === 'execution-error').map((f) => `${f.location?.line}:${f.location?.column} ${f.message}`);
    expect(errs).toEqual([
      // No migration creates nosuchtype: one error for it; t2 (never made), line 4, and line 12 are counted there.
      '2:20 The migrations use objects that none of them has created by then (types nosuchtype): they must exist where the migrations run — a baseline schema, the platform, what an ORM or a non-SQL migration makes. 3 statements that need them could not be checked',
      '6:1 column "c1" of relation "acc" contains null values',
      '7:1 LOCK TABLE can only be used in transaction blocks',
      // Where nosuchtype exists (as assumed), the block of lines 10-14 commits, so t4_idx exists by line 15.
      '15:1 relation "t4_idx" already exists',
      '16:1 column "name" of relation "acc" contains null values',
    ]);
    // SET NOT NULL failed on lines 6 and 16 (the rows hold NULLs): in production too, so nothing is locked
    // or scanned for long, and the lock finding would only repeat the error.
    expect(report.findings.filter((f) => f.rule === 'set-not-null').map((f) => f.location?.line)).toEqual([]);
  });

  it('reads the catalog after a migration rolled back its transaction', async () => {
    // pgarch's session-local helper functions must not be created inside (and rolled back with) a migration's transaction.
    const dir = project({
      '0001_a.sql': 'CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n',
      '0002_b.sql': 'BEGIN;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\nROLLBACK;\n',
      '0003_c.sql': 'ALTER TABLE t ALTER COLUMN b SET NOT NULL;\n',
    });
    const { report } = await lintMigrations({ paths: [dir] });
    expect(report.findings.filter((f) => f.rule === 'rule-error')).toEqual([]);
    expect(rules(report.findings).filter((f) => f.startsWith('set-not-null'))).toEqual([
      `set-not-null@${dir.split('/').pop()}/0002_b.sql:2`,
      `set-not-null@${dir.split('/').pop()}/0003_c.sql:1`,
    ]);
  });

  it('--no-execute lints from the parse tree alone', async () => {
    const dir = project(files);
    const { report } = await lintMigrations({ paths: [dir], noExecute: true });
    const found = rules(report.findings);
    expect(found).toContain(`create-index-non-concurrent@${dir.split('/').pop()}/0002_index.sql:2`);
    expect(found.filter((f) => f.includes('0003_new_table') && f.startsWith('create-index'))).toEqual([]);
  });

  it('the CLI prints findings with fixes and exits 0 for warnings', async () => {
    const dir = project(files);
    const run = await pgarch(['lint', 'migrations', dir, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report: Report = JSON.parse(run.stdout);
    const f = report.findings.find((x) => x.rule === 'create-index-non-concurrent')!;
    expect(f.fix?.sql).toBe('-- CONCURRENTLY cannot run inside a transaction block:\n-- pgarch:no-transaction\nCREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);');
    const help = await pgarch(['lint', 'migrations', '--help']);
    expect(help.stdout).toContain('--since');
    expect(help.stdout).toContain('Examples:');
    const bad = await pgarch(['lint', 'migrations', dir, '--assume-rows', 'orders']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected table=N');
  });
});

describeServer('lint migrations on the server', () => {
  it('uses a scratch database and finds what PGlite finds; --stats-from reads live sizes', async () => {
    const dir = project({
      '0001_create.sql': 'CREATE TABLE orders (id int PRIMARY KEY, total numeric);\n',
      '0002_index.sql': 'CREATE INDEX orders_total_idx ON orders (total);\n',
    });
    const onServer = await lintMigrations({ paths: [dir], database: SERVER_URL });
    const embedded = await lintMigrations({ paths: [dir] });
    expect(rules(onServer.report.findings)).toEqual(rules(embedded.report.findings));
    expect(onServer.report.findings.map((f) => f.rule)).toContain('create-index-non-concurrent');

    // A live database where orders is tiny: the finding drops to info.
    const live = `pgarch_test_stats_${process.pid}`;
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${live}`);
      await admin.query(`CREATE DATABASE ${live}`);
      const liveUrl = SERVER_URL.replace(/\/[^/]*$/, `/${live}`);
      const c = new pg.Client({ connectionString: liveUrl });
      await c.connect();
      await c.query('CREATE TABLE orders (id int PRIMARY KEY, total numeric); INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g; ANALYZE orders;');
      await c.end();
      const sized = await lintMigrations({ paths: [dir], statsFrom: liveUrl });
      expect(sized.report.findings.find((f) => f.rule === 'create-index-non-concurrent')?.severity).toBe('info');
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${live} WITH (FORCE)`);
      await admin.end();
    }
  });
});

describe('the migration rule catalog', () => {
  // The ids of the "migration" table of shared/design/rules.md (fixed; never renamed).
  const RULES_MD_MIGRATION_IDS = [
    'create-index-non-concurrent', 'drop-index-non-concurrent', 'concurrently-in-transaction', 'add-column-volatile-default',
    'add-column-not-null-no-default', 'set-not-null', 'constraint-not-valid', 'add-unique-constraint', 'change-column-type',
    'rename-column', 'rename-table', 'drop-column', 'drop-table', 'missing-lock-timeout', 'backfill-in-transaction',
    'add-enum-value-in-transaction', 'vacuum-full', 'truncate', 'irreversible-migration', 'syntax-error', 'execution-error',
    'add-column-serial', 'add-generated-stored-column', 'add-exclusion-constraint', 'prefer-jsonb', 'lock-held-after-exclusive',
    'table-rewrite', 'reindex-non-concurrent', 'detach-partition-non-concurrent', 'drop-not-null', 'rename-enum-value',
    'rename-schema', 'transaction-nesting',
  ];

  it('implements every migration rule id of rules.md (rule files, or the input checks)', async () => {
    const { migrationRules } = await import('../src/rules/migration/index.js');
    const { inputRules } = await import('../src/rules/registry.js');
    const known = new Set([...migrationRules.map((r) => r.id), ...inputRules.map((r) => r.id)]);
    expect(RULES_MD_MIGRATION_IDS.filter((id) => !known.has(id))).toEqual([]);
  });

  it('syntax-error: bad reports at the token, good does not', async () => {
    const dir = project({ '0001_a.sql': 'CREATE TABLE t (id int PRIMARY KEY);\nALTER TABLE t ADD COLUMN note text DEFAULT;\n', '0002_b.sql': 'ALTER TABLE t ADD COLUMN ok text;\n' });
    const { report } = await lintMigrations({ paths: [dir] });
    expect(report.findings.filter((f) => f.rule === 'syntax-error').map((f) => `${f.location?.file?.split('/').pop()}:${f.location?.line}:${f.location?.column}`)).toEqual(['0001_a.sql:2:43']);
  });

  it('execution-error: bad reports PostgreSQL\'s message at the failing token, good does not', async () => {
    const dir = project({ '0001_a.sql': 'CREATE TABLE t (id int PRIMARY KEY);\n', '0002_b.sql': 'UPDATE t\n  SET missing = 1;\n', '0003_c.sql': 'ALTER TABLE t ADD CONSTRAINT ok CHECK (id > 0) NOT VALID;\n' });
    const { report } = await lintMigrations({ paths: [dir] });
    const errors = report.findings.filter((f) => f.rule === 'execution-error');
    expect(errors.map((f) => `${f.location?.file?.split('/').pop()}:${f.location?.line}:${f.location?.column}`)).toEqual(['0002_b.sql:2:7']);
    expect(errors[0].message).toContain('column "missing" of relation "t" does not exist');
  });
});
