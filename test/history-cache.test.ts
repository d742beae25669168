// The on-disk cache of a migration history's engine state (src/migrate/history-cache.ts), as a pull
// request's edit loop uses it: the first run saves the state before the last migration and after it,
// the next run after editing the last file restores the first and runs one migration. Findings with and
// without the cache are the same, and a damaged or foreign entry is thrown away, never used.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { lintMigrations } from '../src/migrate/lint.js';
import { review } from '../src/lint/review.js';
import type { Report } from '../src/types.js';
import { pgarch } from './helpers/cli.js';

const SHOP = 'examples/shop/migrations';

/** The findings as a user reads them (JSON), whatever the run's timing. */
const findingsOf = (report: Report) => JSON.stringify(report.findings);
const entries = (dir: string) => (existsSync(join(dir, 'history')) ? readdirSync(join(dir, 'history')).filter((n) => !n.startsWith('.')) : []);

describe('history cache', () => {
  let project: string;
  let cacheDir: string;
  let migrations: string;

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'pgarch-cache-project-'));
    cacheDir = mkdtempSync(join(tmpdir(), 'pgarch-cache-dir-'));
    migrations = join(project, 'migrations');
    cpSync(SHOP, migrations, { recursive: true });
  });

  // Every entry is worth saving here: the shop's history is far shorter than the default 1,500 statements.
  const lint = (options: { cache?: boolean } = {}) =>
    lintMigrations({ paths: [migrations], ...(options.cache === false ? {} : { cache: { dir: cacheDir, minStatements: 0 } }) });

  it('saves the state before the last migration and after it, and restores the longest prefix', async () => {
    const cold = await lint();
    expect(cold.restored).toBe(0);
    expect(entries(cacheDir)).toHaveLength(2);
    const warm = await lint();
    // All nine migrations restored: nothing ran, and the findings are the same as running them.
    expect(warm.restored).toBe(9);
    expect(findingsOf(warm.report)).toBe(findingsOf(cold.report));
    expect(findingsOf(warm.report)).toBe(findingsOf((await lint({ cache: false })).report));
  }, 120_000);

  it('after an edit of the last migration, runs only that one and finds what a full run finds', async () => {
    await lint();
    const last = join(migrations, '0009_validate_order_items_quantity_check.sql');
    writeFileSync(last, `${readFileSync(last, 'utf8')}\nCREATE INDEX order_items_quantity_idx ON order_items (quantity);\n`);
    const warm = await lint();
    expect(warm.restored).toBe(8);
    const full = await lint({ cache: false });
    expect(findingsOf(warm.report)).toBe(findingsOf(full.report));
    // The new statement is reviewed: a blocking index build on an existing table.
    expect(warm.report.findings.some((f) => f.rule === 'create-index-non-concurrent' && f.location?.file === last)).toBe(true);
  }, 120_000);

  it('after an edit of an early migration, restores nothing from the stale entries', async () => {
    await lint();
    const first = join(migrations, '0001_create_customers.sql');
    writeFileSync(first, `${readFileSync(first, 'utf8')}\nCOMMENT ON TABLE customers IS 'edited';\n`);
    const run = await lint();
    expect(run.restored).toBe(0);
    expect(findingsOf(run.report)).toBe(findingsOf((await lint({ cache: false })).report));
  }, 120_000);

  it('ignores and rebuilds an entry whose description does not parse', async () => {
    const cold = await lint();
    for (const key of entries(cacheDir)) writeFileSync(join(cacheDir, 'history', key, 'entry.json'), '{"format": 1, "key": ');
    const run = await lint();
    expect(run.restored).toBe(0);
    expect(findingsOf(run.report)).toBe(findingsOf(cold.report));
    // Rebuilt: the next run restores again.
    expect((await lint()).restored).toBe(9);
  }, 120_000);

  it('ignores an entry whose data was damaged (digest mismatch) and one filed under another key', async () => {
    const cold = await lint();
    const [a, b] = entries(cacheDir);
    // One byte of a catalog page changed in each saved data directory.
    for (const key of [a, b]) {
      const pack = join(cacheDir, 'history', key, 'data.pack');
      const bytes = readFileSync(pack);
      bytes[bytes.length - 100] ^= 0xff;
      writeFileSync(pack, bytes);
    }
    const damaged = await lint();
    expect(damaged.restored).toBe(0);
    expect(findingsOf(damaged.report)).toBe(findingsOf(cold.report));
    // A foreign entry: a valid entry's files under another prefix's key.
    const keys = entries(cacheDir);
    const [full, beforeLast] = keys.map((k) => ({ k, prefix: (JSON.parse(readFileSync(join(cacheDir, 'history', k, 'entry.json'), 'utf8')) as { prefix: number }).prefix })).sort((x, y) => y.prefix - x.prefix);
    cpSync(join(cacheDir, 'history', beforeLast.k, 'entry.json'), join(cacheDir, 'history', full.k, 'entry.json'));
    const foreign = await lint();
    // The full state's entry now says it is another key's: removed, and the prefix before it used.
    expect(foreign.restored).toBe(8);
    expect(findingsOf(foreign.report)).toBe(findingsOf(cold.report));
  }, 180_000);

  it('keys entries by the config: another rule set restores nothing', async () => {
    await lint();
    const run = await lintMigrations({ paths: [migrations], cache: { dir: cacheDir, minStatements: 0 }, config: { ...(await import('../src/config.js')).defaultConfig(), rules: { 'rename-column': 'off' } } });
    expect(run.restored).toBe(0);
    expect(run.report.findings.some((f) => f.rule === 'rename-column')).toBe(false);
  }, 120_000);

  it('gives review the same report from a restored engine as from one that ran everything', async () => {
    const dir = join(project, 'shop');
    cpSync('examples/shop', dir, { recursive: true });
    const strip = (r: Report) => JSON.stringify({ ...r, summary: { ...r.summary, elapsedMs: 0 } });
    const cold = await review({ paths: [dir], cache: { dir: cacheDir, minStatements: 0 } });
    const warm = await review({ paths: [dir], cache: { dir: cacheDir, minStatements: 0 } });
    const none = await review({ paths: [dir] });
    expect(strip(warm)).toBe(strip(cold));
    expect(strip(none)).toBe(strip(cold));
    // The schema, index and query parts are all there, read from the restored engine.
    expect(warm.sections!.find((s) => s.id === 'queries')!.findings.length).toBeGreaterThan(0);
    expect(warm.sections!.find((s) => s.id === 'indexes')!.findings.length).toBeGreaterThan(0);
  }, 180_000);

  it('the CLI writes nothing with --no-cache and reads its --cache-dir', async () => {
    const none = await pgarch(['lint', 'migrations', migrations, '--no-cache', '--cache-dir', cacheDir, '--format', 'json']);
    expect(none.code, none.stderr).toBe(1);
    expect(entries(cacheDir)).toEqual([]);
    // The shop's history is short (under 1,500 statements): re-running it is cheaper than restoring it, so nothing is saved either.
    const short = await pgarch(['lint', 'migrations', migrations, '--cache-dir', cacheDir, '--format', 'json']);
    expect(short.stdout).toBe(none.stdout.replace(/"elapsedMs": ?\d+/, short.stdout.match(/"elapsedMs": ?\d+/)![0]));
    expect(entries(cacheDir)).toEqual([]);
  }, 120_000);
});
