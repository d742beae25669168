// Every common migration layout, found by its shape (fixtures of our own in test/fixtures/layouts, each
// reproducing a real tool's file names, directives, journals and plans), read in its tool's order with
// its tool's transaction semantics, and linted on both engines with zero execution errors.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMigrationSets } from '../src/migrate/discover.js';
import { lintMigrations } from '../src/migrate/lint.js';
import { lintSchema } from '../src/lint/schema.js';
import { review } from '../src/lint/review.js';
import { traceFile } from '../src/migrate/trace.js';
import type { Finding } from '../src/types.js';
import { pgarch, ROOT } from './helpers/cli.js';
import { ENGINES } from './helpers/server.js';

const LAYOUTS = join(ROOT, 'test/fixtures/layouts');
const at = (...parts: string[]) => join(LAYOUTS, ...parts);
const name = (file: string) => file.slice(LAYOUTS.length + 1);

interface Expected {
  /** What the user points pgarch at. */
  path: string;
  layout: string;
  /** Migration ids in apply order. */
  ids: string[];
  skipped?: Array<[string, RegExp]>;
  /** Findings about transactions the tool's semantics decide, as `rule file:line`. */
  transactionFindings: string[];
}

const CASES: Expected[] = [
  {
    path: at('prisma/prisma/migrations'),
    layout: 'prisma',
    ids: ['20240101000000_init', '20240102000000_posts_author_index', '20240103000000_posts_status'],
    // The file's one query string is a transaction block only when it holds more than one statement.
    transactionFindings: ['concurrently-in-transaction 20240103000000_posts_status/migration.sql:6'],
  },
  {
    path: at('drizzle/drizzle'),
    layout: 'drizzle',
    ids: ['0000_brave_lion', '0001_quiet_owl'],
    skipped: [['drizzle/drizzle/0001_abandoned_dagger.sql', /not in meta\/_journal\.json/]],
    transactionFindings: [],
  },
  {
    path: at('goose/db/migrations'),
    layout: 'goose',
    ids: ['20240101120000_create_accounts', '20240102120000_accounts_created_index', '20240103120000_accounts_email_index'],
    skipped: [['goose/db/migrations/20240104120000_backfill.go', /Go migration/]],
    // NO TRANSACTION in 20240102; forgotten in 20240103.
    transactionFindings: ['concurrently-in-transaction 20240103120000_accounts_email_index.sql:3'],
  },
  {
    path: at('golang-migrate/migrations'),
    layout: 'golang-migrate',
    ids: ['1_create_items', '2_items_name_index', '10_items_price'],
    transactionFindings: [],
  },
  {
    path: at('flyway/src/main/resources/db/migration'),
    layout: 'flyway',
    ids: ['V1__init', 'V1.1__customer_email', 'V2.1.0.9__orders', 'V2.1.0.10', 'V2.2__orders_index', 'R__customer_view', 'afterMigrate__reference_data'],
    // Flyway runs the CONCURRENTLY script outside a transaction by itself.
    transactionFindings: [],
  },
  {
    path: at('dbmate/db/migrations'),
    layout: 'dbmate',
    ids: ['20240101000000_create_events', '20240102000000_events_kind_index', '20240103000000_events_source'],
    transactionFindings: [],
  },
  {
    path: at('diesel/migrations'),
    layout: 'diesel',
    ids: ['00000000000000_diesel_initial_setup', '2024-01-01-000000_create_posts', '2024-01-02-000000-0000_posts_title_index'],
    // metadata.toml: run_in_transaction = false.
    transactionFindings: [],
  },
  {
    path: at('sqitch'),
    layout: 'sqitch',
    // From sql/sqitch.plan (sqitch.conf's top_dir), not the stale root plan; users reworked after @v1.0.
    ids: ['appschema', 'users', 'users'],
    transactionFindings: [],
  },
  {
    path: at('graphile-migrate/migrations'),
    layout: 'graphile-migrate',
    ids: ['000001', '000002-private-sessions', 'current'],
    transactionFindings: [],
  },
  {
    path: at('supabase/supabase/migrations'),
    layout: 'supabase',
    ids: ['20240101000000_profiles', '20240102000000_notes'],
    transactionFindings: [],
  },
];

describe('layouts are found by shape and read in their tool’s order', () => {
  for (const c of CASES) {
    it(`${c.layout}`, () => {
      const sets = findMigrationSets([c.path]);
      expect(sets.map((s) => s.layout)).toEqual([c.layout]);
      expect(sets[0].migrations.map((m) => m.id)).toEqual(c.ids);
      expect(sets[0].skipped.map((s) => name(s.file))).toEqual((c.skipped ?? []).map(([file]) => file));
      for (const [i, [, reason]] of (c.skipped ?? []).entries()) expect(sets[0].skipped[i].reason).toMatch(reason);
    });
  }

  it('also from the project root: the migration folder is searched for, tests and seeds are not', () => {
    const sets = findMigrationSets([at('supabase'), at('goose'), at('graphile-migrate')]);
    expect(sets.map((s) => `${s.layout} ${name(s.dir)}`)).toEqual(['supabase supabase/supabase/migrations', 'goose goose/db/migrations', 'graphile-migrate graphile-migrate/migrations']);
  });

  it('reads what each tool reads of a file: up sections only, down steps beside them', () => {
    const [goose] = findMigrationSets([at('goose/db/migrations')]);
    const first = goose.migrations[0];
    expect(first.text.slice(first.up.start, first.up.end)).not.toContain('DROP TABLE');
    expect(first.down && first.down.text.slice(first.down.start, first.down.end)).toContain('DROP TABLE accounts;');
    expect(goose.migrations[1].noTransaction).toBe('-- +goose NO TRANSACTION');

    const [flyway] = findMigrationSets([at('flyway/src/main/resources/db/migration')]);
    expect(name(flyway.migrations[1].down!.file)).toBe('flyway/src/main/resources/db/migration/U1.1__customer_email.sql');
    const [sqitch] = findMigrationSets([at('sqitch')]);
    expect(sqitch.migrations.map((m) => name(m.file))).toEqual(['sqitch/sql/deploy/appschema.sql', 'sqitch/sql/deploy/users@v1.0.sql', 'sqitch/sql/deploy/users.sql']);
    expect(sqitch.migrations.map((m) => name(m.down!.file))).toEqual(['sqitch/sql/revert/appschema.sql', 'sqitch/sql/revert/users@v1.0.sql', 'sqitch/sql/revert/users.sql']);
    const [graphile] = findMigrationSets([at('graphile-migrate/migrations')]);
    expect(graphile.setup.map((s) => name(s.file))).toEqual(['graphile-migrate/migrations/afterReset.sql']);
    const [diesel] = findMigrationSets([at('diesel/migrations')]);
    expect(diesel.migrations[2].noTransaction).toBe('metadata.toml: run_in_transaction = false');
  });

  it('several Flyway locations merge in version order', () => {
    const [merged] = findMigrationSets([at('flyway/src/main/resources/db/migration'), at('flyway/src/main/resources/db/extra')]);
    expect(merged.migrations.map((m) => m.id).slice(0, 4)).toEqual(['V1__init', 'V1.1__customer_email', 'V1.5__audit', 'V2.1.0.9__orders']);
  });

  it('Flyway: Java migrations of the same classpath location are listed, and an error on what one makes names it', async () => {
    // A Maven module: SQL migrations in src/main/resources/<pkg>, Java ones in src/main/java/<pkg>, one version order.
    const root = mkdtempSync(join(tmpdir(), 'pgarch-flyway-java-'));
    const sql = join(root, 'src/main/resources/db/migration');
    const java = join(root, 'src/main/java/db/migration/v2');
    mkdirSync(sql, { recursive: true });
    mkdirSync(java, { recursive: true });
    writeFileSync(join(sql, 'V1__jobs.sql'), 'CREATE TABLE jobs (id bigint PRIMARY KEY, params text);\n');
    writeFileSync(join(java, 'V2__Jobs_params_to_jsonb.java'), 'package db.migration.v2;\n\npublic class V2__Jobs_params_to_jsonb extends BaseJavaMigration {\n  // ALTER TABLE jobs ADD COLUMN jsonbparams jsonb, then copy params into it\n}\n');
    writeFileSync(join(java, 'Helper.java'), 'package db.migration.v2;\nclass Helper {}\n');
    writeFileSync(join(sql, 'V3__read_params.sql'), "UPDATE jobs SET jsonbparams = '{}' WHERE id = 1;\n");
    const [set] = findMigrationSets([sql]);
    expect(set.skipped.map((s) => `${s.file.slice(root.length + 1)} ${s.code === true}`)).toEqual(['src/main/java/db/migration/v2/V2__Jobs_params_to_jsonb.java true']);
    const { report } = await lintMigrations({ paths: [sql] });
    const error = report.findings.find((f) => f.rule === 'execution-error');
    expect(error?.message).toBe('column "jsonbparams" of relation "jobs" does not exist; V2__Jobs_params_to_jsonb.java, a Java migration pgarch does not run, mentions jsonbparams: what it does is missing here, not necessarily in production');
    expect(error?.related?.map((l) => `${l.file?.slice(root.length + 1)}:${l.line}`)).toEqual(['src/main/java/db/migration/v2/V2__Jobs_params_to_jsonb.java:4']);
  });

  it('--layout and --pattern override detection', () => {
    expect(findMigrationSets([at('golang-migrate/migrations')], { pattern: '*.down.sql' })[0].migrations.map((m) => m.id)).toEqual([
      '1_create_items.down',
      '2_items_name_index.down',
      '10_items_price.down',
    ]);
    expect(findMigrationSets([at('dbmate/db/migrations')], { layout: 'numbered' })[0].layout).toBe('numbered');
  });
});

const rulesAt = (findings: Finding[], rules: string[]) =>
  findings.filter((f) => rules.includes(f.rule)).map((f) => `${f.rule} ${f.location?.file?.split('/').slice(-(f.location?.file?.endsWith('migration.sql') ? 2 : 1)).join('/')}:${f.location?.line}`);

for (const target of ENGINES) {
  describe(`each layout lints on ${target.name} with its tool’s transactions`, () => {
    for (const c of CASES) {
      it(`${c.layout}: zero execution errors; transaction findings as the tool runs the files`, async () => {
        const { report } = await lintMigrations({ paths: [c.path], database: target.database });
        expect(report.findings.filter((f) => f.rule === 'execution-error' || f.rule === 'not-executed').map((f) => `${f.location?.file}:${f.location?.line} ${f.message}`)).toEqual([]);
        expect(rulesAt(report.findings, ['concurrently-in-transaction', 'transaction-nesting'])).toEqual(c.transactionFindings);
        expect(report.inputs?.map((i) => i.layout)).toEqual([c.layout]);
      });
    }

    it('lint schema builds the schema from the migrations only: not dbmate’s schema dump, not seeds or pgTAP tests', async () => {
      const dbmate = await lintSchema({ paths: [at('dbmate/db')], database: target.database });
      expect(dbmate.report.findings.filter((f) => f.rule === 'execution-error')).toEqual([]);
      expect(dbmate.report.inputs?.flatMap((i) => (i.skipped ?? []).map((s) => `${name(s.file)}: ${s.reason}`))).toEqual(['dbmate/db/schema.sql: not a migration: the migrations build the schema']);
      const supabase = await lintSchema({ paths: [at('supabase')], database: target.database });
      expect(supabase.report.findings.filter((f) => f.rule === 'execution-error')).toEqual([]);
      expect(supabase.report.inputs?.flatMap((i) => (i.skipped ?? []).map((s) => `${name(s.file)}: ${s.reason}`))).toEqual([
        'supabase/supabase/seed.sql: seed data, not schema',
        'supabase/supabase/tests/database/01_notes_rls.test.sql: a test, not schema',
      ]);
    });
  });
}

describe('names an ORM chose', () => {
  it('Prisma’s PascalCase models are its choice: info, with its @@map way out, never a reserved word', async () => {
    const { report } = await lintSchema({ paths: [at('prisma/prisma/migrations')] });
    const upper = report.findings.filter((f) => f.rule === 'uppercase-identifier');
    expect(upper.map((f) => `${f.severity} ${f.object}`)).toEqual([
      'info public.User',
      'info public.User.createdAt',
      'info public.Post',
      'info public.Post.authorId',
    ]);
    // "User" in lower case is the reserved word user: the hint never suggests it.
    expect(upper[0].hint).toBe('Prisma quotes it for you; for SQL written by hand, map the model to a lower-case table in schema.prisma: @@map("users").');
    expect(upper[1].hint).toContain('@map("created_at")');
  });

  it('outside an ORM the same names are warnings, and the suggested name is not reserved either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgarch-names-'));
    writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE "User" (id bigint PRIMARY KEY, "createdAt" timestamptz);\n');
    const { report } = await lintSchema({ paths: [dir] });
    const upper = report.findings.filter((f) => f.rule === 'uppercase-identifier');
    expect(upper.map((f) => `${f.severity} ${f.object}`)).toEqual(['warning public.User', 'warning public.User.createdAt']);
    expect(upper[0].hint).toContain('users');
    expect(upper[0].hint).not.toMatch(/\buser\b/);
    const { suggestedName } = await import('../src/rules/schema/uppercase-identifier.js');
    const { loadParser } = await import('../src/sql/parse.js');
    await loadParser();
    expect([suggestedName('User'), suggestedName('Order'), suggestedName('Group'), suggestedName('OrderItems')]).toEqual(['users', 'orders', 'groups', 'order_items']);
    expect([suggestedName('Order', 'Post'), suggestedName('User', 'Comment'), suggestedName('createdAt', 'Post')]).toEqual(['post_order', 'comment_user', 'created_at']);
  });
});

describe('review and trace on real layouts', () => {
  it('review finds the migration folders anywhere in the tree and says which it read as which layout', async () => {
    const report = await review({ paths: [at('supabase'), at('goose'), at('diesel')] });
    expect(report.inputs?.filter((i) => i.layout !== 'none').map((i) => `${name(i.path)} ${i.layout} ${i.files}`)).toEqual([
      'supabase/supabase/migrations supabase 2',
      'goose/db/migrations goose 3',
      'diesel/migrations diesel 3',
    ]);
    expect(report.findings.filter((f) => f.rule === 'execution-error')).toEqual([]);
    const cli = await pgarch(['review', at('goose')]);
    expect(cli.stdout).toContain('goose/db/migrations: goose, 3 migrations');
    expect(cli.stdout).toContain('skipped test/fixtures/layouts/goose/db/migrations/20240104120000_backfill.go: a Go migration');
  });

  it('trace applies the earlier migrations of the layout (their up steps), and exits 1 when a traced statement fails', async () => {
    const traced = await traceFile(at('goose/db/migrations/20240102120000_accounts_created_index.sql'));
    expect(traced.layout).toBe('goose');
    expect(traced.history).toEqual({ migrations: 1, failed: [] });
    expect(traced.statements.map((s) => s.summary)).toEqual(['CREATE INDEX CONCURRENTLY accounts_updated_at_idx ON accounts (updated_at)']);
    expect(traced.statements[0].error).toBeUndefined();
    const failing = await pgarch(['trace', at('graphile-migrate/migrations/committed/000002-private-sessions.sql'), '--no-history']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('error: ');
  });
});
