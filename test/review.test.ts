// pgarch review on examples/shop, as a user runs it: one report in the seed's five parts, each holding
// its findings (by rule id and location), and the checklist of migration 0006 item by item.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { review } from '../src/lint/review.js';
import type { Finding, Report, ReviewSection } from '../src/types.js';
import { pgarch } from './helpers/cli.js';
import { ownDatabase } from './helpers/own-database.js';
import { describeServer } from './helpers/server.js';

const M = 'examples/shop/migrations';
const Q = 'examples/shop/queries';
const where = (f: Finding) => `${f.rule} ${f.location?.file?.replace(/^.*?(examples\/)/, '$1')}:${f.location?.line}:${f.location?.column}`;

describe('pgarch review examples/shop', () => {
  let report: Report;
  let part: (id: ReviewSection['id']) => string[];

  beforeAll(async () => {
    const run = await pgarch(['review', 'examples/shop', '--format', 'json']);
    expect(run.code, run.stderr).toBe(1); // 0006 renames a column in place: an error
    report = JSON.parse(run.stdout) as Report;
    part = (id) => report.sections!.find((s) => s.id === id)!.findings.map((i) => where(report.findings[i]));
  }, 120_000);

  it('has the five parts in order, and every finding in exactly one of them', () => {
    expect(report.sections!.map((s) => s.title)).toEqual(['Schema', 'Indexes', 'Queries', 'Migration', 'Monitoring']);
    const placed = report.sections!.flatMap((s) => s.findings).sort((a, b) => a - b);
    expect(placed).toEqual(report.findings.map((_, i) => i));
    for (const s of report.sections!) {
      const severities = s.findings.map((i) => report.findings[i].severity);
      expect(s.summary).toEqual({ errors: severities.filter((x) => x === 'error').length, warnings: severities.filter((x) => x === 'warning').length, infos: severities.filter((x) => x === 'info').length });
    }
  });

  it('puts each finding where an architect reads it', () => {
    expect(part('schema')).toContain(`repeating-columns ${M}/0001_create_customers.sql:26:5`);
    expect(part('schema')).toContain(`money-type ${M}/0002_create_catalog.sql:28:5`);
    expect(part('indexes')).toEqual(expect.arrayContaining([`fk-missing-index ${M}/0002_create_catalog.sql:27:5`, `duplicate-index ${M}/0003_create_orders.sql:31:1`, `soft-delete-no-partial-index ${M}/0001_create_customers.sql:30:5`]));
    // A query the 0006 rename broke is a Queries finding, located in the code that holds it.
    expect(part('queries')).toEqual(expect.arrayContaining([`execution-error ${Q}/dashboard.ts:34:56`, `non-sargable-predicate ${Q}/orders.sql:17:7`, `count-for-existence ${Q}/orders.sql:4:8`]));
    expect(part('migration')).toEqual(expect.arrayContaining([`rename-column ${M}/0006_customer_profile.sql:24:1`, `backfill-in-transaction ${M}/0006_customer_profile.sql:17:1`, `change-column-type ${M}/0007_payments_amount_bigint.sql:10:18`]));
    expect(part('schema').some((f) => f.startsWith('fk-missing-index'))).toBe(false);
    // Without a live database, Monitoring holds the queries to run on one.
    const monitoring = report.sections!.find((s) => s.id === 'monitoring')!;
    expect(monitoring.findings).toEqual([]);
    expect(monitoring.queries!.map((q) => q.title)).toEqual(expect.arrayContaining([expect.stringMatching(/^Slowest statements/), expect.stringMatching(/^Index usage/)]));
  });

  it("gives migration 0006 the seed's checklist, each item decided or left to a human", () => {
    const checklists = report.sections!.find((s) => s.id === 'migration')!.checklists!;
    expect(checklists.map((c) => c.migration)).toContain('0006_customer_profile');
    const items = Object.fromEntries(checklists.find((c) => c.migration === '0006_customer_profile')!.items.map((i) => [i.id, i]));
    expect(Object.keys(items)).toEqual([
      'ran-on-copy', 'runtime', 'no-full-table-locks', 'backfill-batched', 'down-exists',
      'index-write-cost', 'plans-validated', 'no-seq-scans',
      'fk-on-delete', 'constraints-validated', 'rls-new-tables',
      'reversible', 'rollback-tested',
    ]);
    expect(items['ran-on-copy']).toMatchObject({ status: 'pass', detail: expect.stringContaining('after the 5 migrations before it') });
    expect(items.runtime).toMatchObject({ status: 'human', rules: ['backfill-in-transaction', 'set-not-null'] });
    expect(items['no-full-table-locks']).toMatchObject({ status: 'fail', rules: expect.arrayContaining(['set-not-null', 'missing-lock-timeout', 'lock-held-after-exclusive']) });
    expect(items['backfill-batched']).toMatchObject({ status: 'fail', rules: ['backfill-in-transaction'] });
    expect(items['down-exists'].status).toBe('human'); // plain numbered files keep no down step
    // The rename breaks a query of the project: found by planning the queries against the new schema.
    expect(items['plans-validated']).toMatchObject({ status: 'fail', detail: expect.stringContaining(`${Q}/dashboard.ts:34`) });
    expect(items['plans-validated'].detail).toContain('column "full_name" does not exist');
    expect(items['index-write-cost'].status).toBe('pass');
    expect(items['fk-on-delete'].status).toBe('pass');
    expect(items['rollback-tested'].status).toBe('human');
    // 0008 adds a CHECK NOT VALID that 0009 validates; 0005 builds an index on a table that exists.
    const item = (migration: string, id: string) => checklists.find((c) => c.migration === migration)!.items.find((i) => i.id === id)!;
    expect(item('0008_order_items_quantity_check', 'constraints-validated')).toMatchObject({ status: 'pass', detail: expect.stringContaining('validated by a later migration') });
    expect(item('0005_payments_integration', 'index-write-cost')).toMatchObject({ status: 'human', detail: expect.stringContaining('payments') });
    expect(item('0001_create_customers', 'runtime')).toMatchObject({ status: 'pass', detail: expect.stringContaining('only creates new objects') });
  });

  it('prints the five parts for a terminal, a one-screen summary first, and markdown with collapsible parts', async () => {
    const text = await pgarch(['review', 'examples/shop']);
    const lines = text.stdout.split('\n');
    const summary = lines.indexOf('Review');
    expect(lines.slice(summary + 1, summary + 6).map((l) => l.trim().split(/\s+/)[0])).toEqual(['Schema', 'Indexes', 'Queries', 'Migration', 'Monitoring']);
    const headings = ['Schema', 'Indexes', 'Queries', 'Migration', 'Monitoring'].map((t) => lines.indexOf(t));
    expect(headings.every((at, i) => at > summary + 5 && (i === 0 || at > headings[i - 1]))).toBe(true);
    expect(text.stdout).toContain('Checklist 0006_customer_profile (5 pass, 3 fail, 5 needs a human)');
    expect(text.stdout).toMatch(/✖ pre-flight\s+Backfills batched: It updates existing rows/);
    const md = await pgarch(['review', 'examples/shop', '--format', 'markdown']);
    expect(md.stdout).toMatch(/^## pgarch review\n/);
    expect(md.stdout).toContain('| Migration | 1 error, 7 warnings, 1 info | 9 migrations, 5 items failed |');
    expect(md.stdout.match(/<details/g)!.length).toBe(5 + 9);
    expect(md.stdout).toContain('<details open><summary>Checklist <code>0006_customer_profile</code>: 5 pass, 3 fail, 5 needs a human</summary>');
    expect(md.stdout).toContain('| ✖ fail | pre-flight | Backfills batched |');
  });

  it('--format github prints one valid workflow command per finding, on its file and line', async () => {
    const run = await pgarch(['review', 'examples/shop', '--format', 'github']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(report.findings.length);
    // ::error|warning|notice file=F,line=L,col=C,title=RULE::message, with %, CR and LF escaped.
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) (file=[^,:]+,line=\d+,col=\d+,)?title=[a-z0-9-]+::[^\r\n]*$/);
    expect(lines.some((l) => l.startsWith(`::error file=${M}/0006_customer_profile.sql,line=24,col=1,title=rename-column::`))).toBe(true);
  });

  it('--since reviews only the migrations changed since a ref, with their checklists', async () => {
    const run = await pgarch(['review', 'examples/shop', '--since', 'HEAD', '--format', 'json']);
    const since = JSON.parse(run.stdout) as Report;
    // Nothing under examples/shop changed since HEAD in a clean checkout: no migration is reviewed.
    const migration = since.sections!.find((s) => s.id === 'migration')!;
    expect(migration.checklists ?? []).toEqual([]);
    expect(migration.findings.map((i) => since.findings[i].rule)).not.toContain('rename-column');
  });
});

describe('runtime at the sizes given (--assume-rows)', () => {
  it("estimates a rewrite's runtime at today's rows and at 10x, from a sample timed on the engine", async () => {
    const report = await review({ paths: ['examples/shop'], assumeRows: { payments: 2_000_000 } });
    const checklists = report.sections!.find((s) => s.id === 'migration')!.checklists!;
    const runtime = (m: string) => checklists.find((c) => c.migration === m)!.items.find((i) => i.id === 'runtime')!;
    // 0007 retypes payments.amount: a rewrite of 2 million rows, estimated (not left to a human to measure).
    expect(runtime('0007_payments_amount_bigint').detail).toMatch(/^About [\d.]+ (ms|s|min) at 2,000,000 rows of payments, [\d.]+ (ms|s|min) at 10x \(line 9: ALTER TABLE payments\); estimated from 20,000 seeded rows on embedded PostgreSQL/);
    // No size was given for customers: 0006's rewrite still needs a human to measure it.
    expect(runtime('0006_customer_profile')).toMatchObject({ status: 'human', detail: expect.stringContaining('pgarch trace') });
    // The estimate changed nothing the rules saw: the same findings as a review without sizes.
    const plain = await review({ paths: ['examples/shop'] });
    expect(report.findings.map((f) => `${f.rule}@${f.location?.file}:${f.location?.line}`)).toEqual(plain.findings.map((f) => `${f.rule}@${f.location?.file}:${f.location?.line}`));
  }, 120_000);
});

describe('the checklist on up and down steps (golang-migrate)', () => {
  it('reads the down step: a key left at NO ACTION and a down that drops data need a human', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-review-'));
    mkdirSync(join(dir, 'db', 'migration'), { recursive: true });
    const file = (name: string, sql: string) => writeFileSync(join(dir, 'db', 'migration', name), sql);
    file('000001_init.up.sql', 'CREATE TABLE parent (id bigint PRIMARY KEY);\nCREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent (id));\nCREATE INDEX child_parent_idx ON child (parent_id);\n');
    file('000001_init.down.sql', 'DROP TABLE child;\nDROP TABLE parent;\n');
    file('000002_note.up.sql', "ALTER TABLE child ADD COLUMN note text;\nUPDATE child SET note = '';\n");
    file('000002_note.down.sql', 'ALTER TABLE child DROP COLUMN note;\n');
    file('000003_backfill.up.sql', "UPDATE child SET note = 'none' WHERE note = '';\n");
    file('000003_backfill.down.sql', "UPDATE child SET note = '' WHERE note = 'none';\n");
    const report = await review({ paths: [dir] });
    const checklists = report.sections!.find((s) => s.id === 'migration')!.checklists!;
    const item = (migration: string, id: string) => checklists.find((c) => c.migration === migration)!.items.find((i) => i.id === id)!;
    expect(item('000001_init', 'down-exists')).toMatchObject({ status: 'pass', detail: 'Its down step has 2 statements.' });
    expect(item('000001_init', 'fk-on-delete')).toMatchObject({ status: 'human', detail: expect.stringContaining('child → parent leaves ON DELETE at NO ACTION') });
    expect(item('000001_init', 'reversible')).toMatchObject({ status: 'human', detail: expect.stringContaining('table child is dropped, table parent is dropped') });
    expect(item('000001_init', 'index-write-cost').status).toBe('pass'); // on a table it creates
    expect(item('000002_note', 'reversible')).toMatchObject({ status: 'human', detail: expect.stringContaining('column child.note is dropped') });
    expect(item('000002_note', 'fk-on-delete').status).toBe('pass');
    // A backfill in the schema change's transaction fails; one on its own, in one statement, is a human's call.
    expect(item('000002_note', 'backfill-batched')).toMatchObject({ status: 'fail', rules: ['backfill-in-transaction'] });
    expect(item('000003_backfill', 'backfill-batched')).toMatchObject({ status: 'human', detail: expect.stringContaining('It writes rows of child outside a schema change') });
    expect(item('000003_backfill', 'reversible').status).toBe('pass');
    expect(item('000001_init', 'backfill-batched')).toMatchObject({ status: 'pass', detail: 'It writes no rows.' });
    // Each rollback was run (down, then up again) on the engine, right after its up step.
    for (const m of ['000001_init', '000002_note', '000003_backfill']) {
      expect(item(m, 'rollback-tested')).toMatchObject({ status: 'pass', detail: expect.stringContaining('the schema came back the same') });
    }
  });

  it('fails the rollback test of a down step that forgets an index, and of one that errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-review-'));
    mkdirSync(join(dir, 'db', 'migration'), { recursive: true });
    const file = (name: string, sql: string) => writeFileSync(join(dir, 'db', 'migration', name), sql);
    file('000001_init.up.sql', 'CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL);\n');
    file('000001_init.down.sql', 'DROP TABLE account;\n');
    file('000002_email_index.up.sql', 'CREATE UNIQUE INDEX account_email_key ON account (email);\nALTER TABLE account ADD COLUMN note text;\n');
    // Forgets the index: the up step cannot run again.
    file('000002_email_index.down.sql', 'ALTER TABLE account DROP COLUMN note;\n');
    file('000003_audit.up.sql', 'CREATE TABLE audit (id bigint PRIMARY KEY);\n');
    file('000003_audit.down.sql', 'DROP TABLE audits;\n');
    const report = await review({ paths: [dir] });
    const checklists = report.sections!.find((s) => s.id === 'migration')!.checklists!;
    const item = (migration: string) => checklists.find((c) => c.migration === migration)!.items.find((i) => i.id === 'rollback-tested')!;
    expect(item('000001_init').status).toBe('pass');
    expect(item('000002_email_index')).toMatchObject({ status: 'fail', detail: expect.stringContaining('account_email_key') });
    expect(item('000003_audit')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/audits.*does not exist/) });
    // The history after them still ran on the state the up steps left.
    expect(report.findings.filter((f) => f.rule === 'execution-error')).toEqual([]);
  });
});

describeServer('pgarch review --database', () => {
  const db = ownDatabase('pgarch_review');
  beforeAll(async () => {
    await db.create();
    // The review applies the project in a scratch database it creates on the server: the role needs CREATEDB.
    await db.run(`alter role ${db.name} createdb`, [], 'superuser');
    await db.run('create table ledger (amount int); alter table ledger add constraint ledger_amount_positive check (amount > 0) not valid');
  }, 60_000);
  afterAll(() => db.drop());

  it("makes the live database's health the Monitoring part", async () => {
    const report = await review({ paths: ['examples/shop'], database: db.url });
    const monitoring = report.sections!.find((s) => s.id === 'monitoring')!;
    expect(monitoring.queries).toBeUndefined();
    const found = monitoring.findings.map((i) => report.findings[i]);
    expect(found).toContainEqual(expect.objectContaining({ rule: 'invalid-constraint', object: 'public.ledger' }));
    // The project's own findings stay in their parts.
    expect(report.sections!.find((s) => s.id === 'migration')!.findings.map((i) => report.findings[i].rule)).toContain('rename-column');
  }, 120_000);
});
