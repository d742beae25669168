// `advise indexes --apply`: the advice written as a migration in each layout the lint reads, read
// back as that tool runs it, and linted clean over the project's history — CONCURRENTLY outside a
// transaction in every tool's own way. A control shows the lint does flag the same file when the
// tool would run it inside one.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { adviseIndexes } from '../../src/advise/advise.js';
import { adviceMigration, applyAdvice } from '../../src/advise/apply.js';
import type { Advice } from '../../src/advise/types.js';
import { findMigrationSets } from '../../src/migrate/discover.js';
import { lintMigrations } from '../../src/migrate/lint.js';

const INIT = 'create table t (id bigint primary key, a int not null, b int not null, c text not null);\ncreate index t_a_idx on t (a);\n';
const NOW = new Date('2026-12-07T10:00:00Z');

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A project of each layout whose history creates the table; returns the migrations folder. */
const PROJECTS: Record<string, (root: string) => string> = {
  dbmate: (root) => (put(join(root, 'db/migrations/20240101000000_init.sql'), `-- migrate:up\n${INIT}\n-- migrate:down\ndrop table t;\n`), join(root, 'db/migrations')),
  goose: (root) => (put(join(root, 'migrations/00001_init.sql'), `-- +goose Up\n${INIT}\n-- +goose Down\ndrop table t;\n`), join(root, 'migrations')),
  'golang-migrate': (root) => {
    put(join(root, 'migrations/000001_init.up.sql'), INIT);
    put(join(root, 'migrations/000001_init.down.sql'), 'drop table t;\n');
    return join(root, 'migrations');
  },
  flyway: (root) => (put(join(root, 'sql/V1__init.sql'), INIT), join(root, 'sql')),
  diesel: (root) => {
    put(join(root, 'migrations/2024-01-01-000000_init/up.sql'), INIT);
    put(join(root, 'migrations/2024-01-01-000000_init/down.sql'), 'drop table t;\n');
    return join(root, 'migrations');
  },
  prisma: (root) => {
    put(join(root, 'prisma/migrations/migration_lock.toml'), 'provider = "postgresql"\n');
    put(join(root, 'prisma/migrations/20240101000000_init/migration.sql'), INIT);
    return join(root, 'prisma/migrations');
  },
  supabase: (root) => {
    put(join(root, 'supabase/config.toml'), 'project_id = "shop"\n');
    put(join(root, 'supabase/migrations/20240101000000_init.sql'), INIT);
    return join(root, 'supabase/migrations');
  },
  sqitch: (root) => {
    put(join(root, 'sqitch.plan'), '%syntax-version=1.0.0\n%project=shop\n\ninit 2024-01-01T00:00:00Z Ann <ann@example.com> # the table\n');
    put(join(root, 'deploy/init.sql'), `BEGIN;\n${INIT}COMMIT;\n`);
    put(join(root, 'revert/init.sql'), 'BEGIN;\ndrop table t;\nCOMMIT;\n');
    return root;
  },
  numbered: (root) => {
    put(join(root, 'sql/001_init.sql'), INIT);
    put(join(root, 'sql/002_more.sql'), 'alter table t add column d int;\n');
    return join(root, 'sql');
  },
};

let advice: Advice;
let schemaFile: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-apply-'));
  // 100 values of a, 7 of b, hex text in c; pg_trgm is not in the schema, so the advice must add it.
  schemaFile = join(dir, 'schema.sql');
  put(schemaFile, `${INIT}insert into t select g, g % 100, g % 7, md5(g::text) from generate_series(1, 50000) g;\n`);
  // An equality pair that widens t_a_idx, and a substring search that only a trigram index serves.
  put(join(dir, 'workload.sql'), '-- weight: 100\nselect id from t where a = $1 and b = $2;\n-- weight: 100\nselect id from t where c ilike \'%7a3%\';\n');
  const report = await adviseIndexes({ schema: [join(dir, 'schema.sql')], workload: [join(dir, 'workload.sql')] });
  advice = report.advice!;
}, 120_000);

describe('advise indexes --apply', () => {
  it('writes CREATE INDEX CONCURRENTLY, the drop of the widened index and the extension, with a down step in reverse', () => {
    expect(advice.indexes.map((p) => p.sql)).toEqual(expect.arrayContaining([expect.stringContaining('ON public.t (a, b)'), expect.stringContaining('USING gin (c gin_trgm_ops)')]));
    const m = adviceMigration(advice);
    expect(m.before).toEqual(['CREATE EXTENSION IF NOT EXISTS pg_trgm;']);
    expect(m.up).toContain('DROP INDEX CONCURRENTLY public.t_a_idx;');
    // Down makes the widened index again before dropping what replaced it.
    expect(m.down).toContain('CREATE INDEX CONCURRENTLY t_a_idx ON public.t USING btree (a);');
    expect(m.down.filter((s) => s.startsWith('DROP INDEX CONCURRENTLY IF EXISTS public.'))).toHaveLength(advice.indexes.length);
  });

  for (const [layout, make] of Object.entries(PROJECTS)) {
    it(`writes into a ${layout} project as ${layout} runs it, and the migration lint finds nothing on it`, async () => {
      const root = mkdtempSync(join(tmpdir(), `pgarch-apply-${layout}-`));
      const dir = make(root);
      const applied = await applyAdvice(advice, dir, { now: NOW });
      expect(applied.layout).toBe(layout);
      expect(applied.findings).toEqual([]);
      // Read back: the new migrations follow the old ones, and carry every statement.
      const [set] = findMigrationSets([dir]);
      const written = set.migrations.slice(1).filter((m) => applied.files.includes(m.file));
      expect(written.length).toBeGreaterThan(0);
      expect(set.migrations.at(-1)!.file).toBe(written.at(-1)!.file);
      const text = written.map((m) => m.text.slice(m.up.start, m.up.end)).join('\n');
      for (const p of advice.indexes) expect(text).toContain(p.sql);
    }, 60_000);
  }

  it('writes pgarch\'s own dbmate-style template into a new folder, linted on the schema the advice came from', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pgarch-apply-new-')), 'migrations');
    const applied = await applyAdvice(advice, dir, { now: NOW, schema: [schemaFile] });
    expect(applied.files).toEqual([join(dir, '20261207100000_add_advised_indexes.sql')]);
    const text = readFileSync(applied.files[0], 'utf8');
    expect(text).toMatch(/-- migrate:up transaction:false\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY/);
    expect(text).toContain('-- migrate:down transaction:false\n');
    expect(applied.notLinted).toBeUndefined();
    expect(applied.findings).toEqual([]);
  }, 60_000);

  it('is caught by the lint when the tool would run the same file inside a transaction (the control)', async () => {
    const dir = PROJECTS.dbmate(mkdtempSync(join(tmpdir(), 'pgarch-apply-control-')));
    const [file] = (await applyAdvice(advice, dir, { now: NOW })).files;
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(' transaction:false', ''));
    const lint = await lintMigrations({ paths: [dir], only: [file] });
    expect(lint.report.findings.map((f) => f.rule)).toContain('concurrently-in-transaction');
  }, 60_000);

  it('numbers after the newest migration in the folder\'s own style, and never overwrites', async () => {
    const dir = PROJECTS.goose(mkdtempSync(join(tmpdir(), 'pgarch-apply-goose-')));
    const first = await applyAdvice(advice, dir, { now: NOW });
    expect(first.files).toEqual([join(dir, '00002_add_advised_indexes.sql')]);
    const second = await applyAdvice(advice, dir, { now: NOW });
    expect(second.files).toEqual([join(dir, '00003_add_advised_indexes.sql')]);
  }, 60_000);

  it('writes one statement into graphile-migrate\'s current.sql, and refuses several (it runs the file as one query string)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pgarch-apply-graphile-'));
    put(join(root, '.gmrc'), '{}\n');
    put(join(root, 'migrations/committed/000001.sql'), `--! Previous: -\n--! Hash: sha1:0\n\n${INIT}`);
    const dir = join(root, 'migrations');
    await expect(applyAdvice(advice, dir, { now: NOW })).rejects.toThrow(/one query string.*one at a time/);
    expect(existsSync(join(dir, 'current.sql'))).toBe(false);
    const gin = advice.indexes.find((p) => p.method === 'gin')!;
    const one: Advice = { ...advice, indexes: [{ ...gin, extension: undefined }], drops: [] };
    const applied = await applyAdvice(one, dir, { now: NOW });
    expect(applied.files).toEqual([join(dir, 'current.sql')]);
    expect(readFileSync(applied.files[0], 'utf8')).toMatch(/^--! no-transaction\n/);
  }, 60_000);

  it('refuses drizzle, whose runner wraps every migration in one transaction, and leaves the folder as it was', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pgarch-apply-drizzle-'));
    put(join(root, 'drizzle/meta/_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1704067200000, tag: '0000_init', breakpoints: true }] }));
    put(join(root, 'drizzle/0000_init.sql'), INIT);
    const before = readdirSync(join(root, 'drizzle'));
    await expect(applyAdvice(advice, join(root, 'drizzle'), { now: NOW })).rejects.toThrow(/drizzle-kit migrate runs all pending migrations in one transaction/);
    expect(readdirSync(join(root, 'drizzle'))).toEqual(before);
  });

  it('asks which folder when the project holds several, and says so when it holds none', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pgarch-apply-two-'));
    PROJECTS.dbmate(join(root, 'a'));
    PROJECTS.goose(join(root, 'b'));
    await expect(applyAdvice(advice, root, { now: NOW })).rejects.toThrow(/2 migration folders found .*give --apply DIR/);
    const none = mkdtempSync(join(tmpdir(), 'pgarch-apply-none-'));
    put(join(none, 'README.md'), 'no SQL here\n');
    await expect(applyAdvice(advice, none, { now: NOW })).rejects.toThrow(/no migrations folder found/);
    expect(existsSync(join(none, 'README.md'))).toBe(true);
  });
});
