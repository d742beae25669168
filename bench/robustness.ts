// Huge input, bounded memory: one ~50 MB file of 300,000 simple statements (a data dump's shape)
// through lint migrations (parse-only and executed), lint schema and lint queries, each a whole CLI
// process, with its wall time and peak RSS (GNU time's %M). Targets: peak RSS < 1 GiB; --no-execute
// < 30 s; executed < 5 min; the output valid JSON whatever happens.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintSchema } from '../dist/lint/schema.js';
import { walkFiles } from '../dist/lint/files.js';
import { writeResult } from './util.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const TIME = '/usr/bin/time';
const STATEMENTS = 300_000;
const GIB = 1024 ** 3;

function hugeFile(): { path: string; bytes: number } {
  const rows: string[] = ['CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, note text, price numeric(12, 2));'];
  for (let i = 1; i < STATEMENTS; i++) {
    rows.push(`INSERT INTO items (id, name, note, price) VALUES (${i}, 'item number ${i}', 'a longer note about item ${i}, so that the file weighs what a real dump does', ${(i % 1000) / 10});`);
  }
  const text = `${rows.join('\n')}\n`;
  const path = join(mkdtempSync(join(tmpdir(), 'pgarch-bench-huge-')), 'huge.sql');
  writeFileSync(path, text);
  return { path, bytes: Buffer.byteLength(text) };
}

interface Run {
  command: string;
  ms: number;
  peakRssBytes?: number;
  exit: number | null;
  validJson: boolean;
  statements?: number;
}

function run(args: string[]): Run {
  const timed = existsSync(TIME);
  const started = performance.now();
  const r = timed
    ? spawnSync(TIME, ['-f', '%M', process.execPath, CLI, ...args, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, [CLI, ...args, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - started;
  const kb = timed ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  let validJson = false;
  let statements: number | undefined;
  try {
    statements = (JSON.parse(r.stdout) as { summary: { statements: number } }).summary.statements;
    validJson = true;
  } catch {
    // reported below as invalid
  }
  return { command: args.join(' '), ms, ...(Number.isFinite(kb) ? { peakRssBytes: kb * 1024 } : {}), exit: r.status, validJson, statements };
}

/** Every .sql file PostgreSQL 15 ships, flattened into one folder (as test/robustness/hostile-input.test.ts does). */
function hostileCorpus(): { dir: string; files: number } | undefined {
  let share: string;
  try {
    share = execFileSync('pg_config', ['--sharedir'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-bench-hostile-'));
  const files = walkFiles(share, (name: string) => name.endsWith('.sql'), new Set<string>());
  for (const f of files) copyFileSync(f, join(dir, relative(share, f).replaceAll('/', '_')));
  return { dir, files: files.length };
}

/** The hostile corpus: each lint command as a whole process, and the slowest file of lint schema (in process, from its progress). */
export async function benchHostile(): Promise<Record<string, unknown> | undefined> {
  const corpus = hostileCorpus();
  if (!corpus) {
    console.log('robustness: hostile corpus skipped (no pg_config)');
    return undefined;
  }
  const runs = [run(['lint', 'schema', corpus.dir]), run(['lint', 'migrations', corpus.dir]), run(['lint', 'queries', corpus.dir])];
  const perFile = new Map<string, number>();
  let current: string | undefined;
  let since = performance.now();
  const result = await lintSchema({
    paths: [corpus.dir],
    progress: (_done: number, _total: number, file?: string) => {
      if (file === current) return;
      const now = performance.now();
      if (current) perFile.set(current, (perFile.get(current) ?? 0) + now - since);
      current = file;
      since = now;
    },
  });
  if (current) perFile.set(current, (perFile.get(current) ?? 0) + performance.now() - since);
  // The first file applied also pays for warming up (JIT, first catalog reads): it is said, not hidden.
  const first = [...perFile.keys()][0];
  const [slowest, slowestMs] = [...perFile].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const slowestName = `${relative(corpus.dir, slowest)}${slowest === first ? ' (the first applied: includes warm-up)' : ''}`;
  const [next, nextMs] = [...perFile].filter(([f]) => f !== first).sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const statements = result.report.summary.statements;
  console.log(`robustness: hostile corpus (pg_config --sharedir): ${corpus.files} files, ${statements.toLocaleString('en')} statements`);
  for (const r of runs) {
    console.log(`            ${r.command.replace(corpus.dir, 'sharedir/')}: ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakRssBytes === undefined ? 'unknown' : `${(r.peakRssBytes / 2 ** 20).toFixed(0)} MB`}, exit ${r.exit}, ${r.validJson ? 'valid JSON' : 'INVALID JSON'}`);
  }
  console.log(`            slowest file to apply (lint schema): ${slowestName}, ${slowestMs.toFixed(0)} ms; slowest after warm-up: ${relative(corpus.dir, next)}, ${nextMs.toFixed(0)} ms`);
  return {
    files: corpus.files,
    statements,
    runs: runs.map((r) => ({ ...r, command: r.command.replace(corpus.dir, 'sharedir/') })),
    slowestFile: { name: slowestName, ms: slowestMs },
    slowestAfterWarmUp: { name: relative(corpus.dir, next), ms: nextMs },
  };
}

export async function benchRobustness(): Promise<void> {
  const hostile = await benchHostile();
  const { path, bytes } = hugeFile();
  console.log(`robustness: ${STATEMENTS.toLocaleString('en')} statements, ${(bytes / 2 ** 20).toFixed(1)} MB in one file`);
  const runs = [
    run(['lint', 'migrations', path, '--no-execute']),
    run(['lint', 'migrations', path]),
    run(['lint', 'schema', path]),
    run(['lint', 'queries', path]),
  ];
  for (const r of runs) {
    const limit = r.command.includes('--no-execute') ? 30_000 : 300_000;
    const rss = r.peakRssBytes === undefined ? 'peak RSS unknown (no /usr/bin/time)' : `peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MB (target < 1,024)`;
    console.log(
      `            ${r.command.replace(path, 'huge.sql')}: ${(r.ms / 1000).toFixed(1)} s (target < ${limit / 1000} s), ${rss}, exit ${r.exit}, ${r.validJson ? `valid JSON, ${r.statements?.toLocaleString('en')} statements` : 'INVALID JSON'}${r.peakRssBytes !== undefined && r.peakRssBytes >= GIB ? '  — over the memory target' : ''}`,
    );
  }
  writeResult('robustness', { statements: STATEMENTS, bytes, runs: runs.map((r) => ({ ...r, command: r.command.replace(path, 'huge.sql') })), hostile });
}
