// pgarch init: a commented config file for the project found in a folder, that loads, never
// overwrites one, and that pgarch review then reads.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig } from '../src/config.js';
import { ConfigSchema } from '../src/config-schema.js';
import { configEntries, findProject } from '../src/init/config-file.js';
import { allRules } from '../src/rules/registry.js';
import { pgarch, ROOT } from './helpers/cli.js';

const FIXTURES = join(ROOT, 'test/fixtures/layouts');
const FILE = 'pgarch.config.yaml';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder holding a copy of a layout fixture (the fixture itself is never written to). */
function project(layout?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-init-'));
  made.push(dir);
  if (layout) cpSync(join(FIXTURES, layout), dir, { recursive: true });
  return dir;
}

describe('the default config', () => {
  it('is what the schema makes of an empty file, keys in the same order (it is written by hand so a run without a config file never loads zod)', () => {
    expect(JSON.stringify(defaultConfig())).toBe(JSON.stringify(ConfigSchema.parse({})));
    expect(defaultConfig()).toEqual(ConfigSchema.parse({}));
    expect(defaultConfig()).not.toBe(defaultConfig()); // a fresh object each call: callers spread and change it
  });
});

describe('pgarch init on a goose project with a queries folder', () => {
  let dir: string;
  let first: Awaited<ReturnType<typeof pgarch>>;
  let written: string;
  beforeAll(async () => {
    dir = project('goose');
    mkdirSync(join(dir, 'queries'));
    writeFileSync(join(dir, 'queries', 'account_by_email.sql'), 'SELECT id, email FROM accounts WHERE email = $1;\n');
    first = await pgarch(['init'], { cwd: dir });
    written = readFileSync(join(dir, FILE), 'utf8');
  });

  it('writes the file and says what it wrote, what it found and what to run next', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      [
        `Wrote ${FILE}`,
        '  found: db/migrations (goose, 3 migrations; 1 file skipped: pgarch review says why)',
        '  found: queries (1 query file: the query rules check them against the schema)',
        'Next: npx pgarch review .',
        '',
      ].join('\n'),
    );
  });

  it('loads with loadConfig, and names the folders it found and their layout', () => {
    expect(() => loadConfig(join(dir, FILE))).not.toThrow();
    expect(loadConfig(undefined, dir)).toEqual(ConfigSchema.parse({})); // everything is commented out: the defaults
    expect(written).toMatch(/^# pgarch\.config\.yaml: /);
    expect(written).toContain('npx pgarch review .');
    expect(written).toContain('# found: db/migrations (goose, 3 migrations');
    expect(written).toContain('# found: queries (1 query file');
    expect(written).toContain('(goose: yes, unless a file opts out)');
  });

  it('shows the common keys commented out, each under a one-line comment', () => {
    for (const example of ['# rules:\n#   missing-lock-timeout: error', '# assumeRows:\n#   public.orders: 5000000', '# health:\n#   thresholds:\n#     longRunningSeconds: 300', '# smallTableRows: 10000', '# pgVersion: 15']) {
      expect(written).toContain(example);
    }
    const blocks = written.split('\n\n').slice(1);
    for (const block of blocks) {
      const [about, key] = block.split('\n');
      expect(about, block).toMatch(/^# \S.+[.)]$/);
      expect(key, block).toMatch(/^# [a-zA-Z]+:/);
    }
    expect(blocks.map((b) => b.split('\n')[1].replace(/^# /, '').split(':')[0])).toEqual(configEntries(findProject(dir)).map((e) => e.key));
  });

  it('refuses to overwrite it (exit 2, one line) and leaves it as it was', async () => {
    writeFileSync(join(dir, FILE), `${written}# mine\n`);
    const again = await pgarch(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe(`pgarch: ${FILE} already exists: pgarch init does not overwrite it (--force does)\n`);
    expect(readFileSync(join(dir, FILE), 'utf8')).toBe(`${written}# mine\n`);
  });

  it('overwrites it with --force', async () => {
    const forced = await pgarch(['init', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toBe('');
    expect(readFileSync(join(dir, FILE), 'utf8')).toBe(written);
  });

  it('pgarch review then runs with it', async () => {
    const run = await pgarch(['review', '.'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect([0, 1]).toContain(run.code);
    expect(run.stdout).toContain('db/migrations: goose, 3 migrations');
  });

  it('and reads it: a broken config is an error there', async () => {
    const broken = project('goose');
    writeFileSync(join(broken, FILE), `${written}smallTableRows: many\n`);
    const run = await pgarch(['review', '.'], { cwd: broken });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pgarch: invalid config .*pgarch\.config\.yaml: smallTableRows: /);
  });
});

describe('pgarch init elsewhere', () => {
  it('an empty folder gets a valid file that says no migrations were found', async () => {
    const dir = project();
    const run = await pgarch(['init', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('found: no migrations folder');
    expect(run.stdout).toContain(`Next: cd ${dir} && npx pgarch review .`);
    const text = readFileSync(join(dir, FILE), 'utf8');
    expect(text).toContain('# found: no migrations folder in a layout pgarch detects');
    expect(text).toContain('# found: no queries folder');
    expect(loadConfig(join(dir, FILE))).toEqual(ConfigSchema.parse({}));
    const review = await pgarch(['review', '.'], { cwd: dir });
    expect(review.stderr).toBe('');
    expect(review.code).toBe(0);
  });

  it('a Supabase project gets profile: supabase, set', async () => {
    const dir = project('supabase');
    const run = await pgarch(['init', dir]);
    expect(run.code).toBe(0);
    const text = readFileSync(join(dir, FILE), 'utf8');
    expect(text).toContain('# found: supabase/migrations (Supabase CLI, 2 migrations)');
    expect(text).toMatch(/^profile: supabase$/m);
    expect(loadConfig(join(dir, FILE)).profile).toBe('supabase');
  });

  it('--force does not write a YAML file that a pgarch.config.json beside it would hide', async () => {
    const dir = project();
    writeFileSync(join(dir, 'pgarch.config.json'), '{}\n');
    for (const args of [['init', dir], ['init', dir, '--force']]) {
      const run = await pgarch(args);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('pgarch.config.json already exists');
    }
    expect(() => readFileSync(join(dir, FILE))).toThrow();
  });

  it('a folder that does not exist is an input error', async () => {
    const run = await pgarch(['init', join(tmpdir(), 'pgarch-init-missing', 'nowhere')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pgarch: no such file or directory: /);
  });

  it('--help shows examples', async () => {
    const run = await pgarch(['init', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('--force');
  });
});

describe('the keys written', () => {
  it('are the schema\'s and every value shown is one it accepts, for any project', () => {
    for (const layout of ['goose', 'supabase', 'prisma', 'sqitch', undefined]) {
      const entries = configEntries(findProject(project(layout)));
      expect(() => ConfigSchema.parse(Object.fromEntries(entries.map((e) => [e.key, e.value])))).not.toThrow();
    }
  });

  it('name rules that exist', () => {
    const ids = new Set(allRules().map((r) => r.id));
    const rules = configEntries(findProject(project())).find((e) => e.key === 'rules')!.value as Record<string, string>;
    for (const id of Object.keys(rules)) expect(ids.has(id), id).toBe(true);
  });
});
