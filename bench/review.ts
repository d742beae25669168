// pgarch review, whole process against whole process, with Squawk (npm squawk-cli) in the same run:
//  1. a generated 320-file, ~20,000-line migration history: a cold review (empty cache) and a warm one
//     after editing the last file (targets: cold ≤ 6 s, warm ≤ 1.5 s, node and engine start included),
//     Squawk's wall time on the same files beside them; `review examples/shop` warm (target < 4 s);
//  2. the engine floor: a DDL-heavy 20,000-statement file executed by the engine alone (PGlite, no
//     pgarch: each statement as psql sends it, and in batches of 100 as the engine does best), against
//     pgarch's catalog-aware lint of the same file, engine start excluded on both sides (target ≤ 1.3x);
//  3. `lint migrations --no-execute` on that file against Squawk, both whole processes (target ≥ 1x).
// Every figure is the best and median of three runs: the machine is a shared two-core one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../dist/engine/index.js';
import { lintMigrations } from '../dist/migrate/lint.js';
import { loadParser, parseFileSync } from '../dist/sql/parse.js';
import { generateDdlHeavySql, generateMigrationDir } from './generate.js';
import { runSquawk, writeResult } from './util.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const RUNS = 3;

interface Timed {
  best: number;
  median: number;
}

/** A whole pgarch process, as a user starts it: wall time, and its exit code checked (0 or 1: findings). */
function pgarchWall(args: string[], env: Record<string, string> = {}): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...env } });
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`pgarch ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function summarize(samples: number[]): Timed {
  const sorted = [...samples].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
}

async function times(n: number, run: (i: number) => number | Promise<number>): Promise<Timed> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await run(i));
  return summarize(samples);
}

const fmt = (t: Timed) => `${(t.best / 1000).toFixed(2)} s (median ${(t.median / 1000).toFixed(2)} s)`;

export async function benchReview(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pgarch-bench-review-'));
  try {
    await history(work);
    await floor(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function history(work: string): Promise<void> {
  const project = join(work, 'app');
  const dir = join(project, 'migrations');
  mkdirSync(dir, { recursive: true });
  let lines = 0;
  for (const [name, sql] of generateMigrationDir(320, 20_000)) {
    writeFileSync(join(dir, name), sql);
    lines += sql.split('\n').length;
  }
  const files = readdirSync(dir).sort().map((f) => join(dir, f));
  const last = files[files.length - 1];
  const original = readFileSync(last, 'utf8');
  const review = (cacheDir: string) => ['review', project, '--format', 'json', '--cache-dir', cacheDir];

  // Cold: a cache directory of its own each run, so nothing is restored.
  const cold = await times(RUNS, (i) => pgarchWall(review(join(work, `cold-cache-${i}`))));
  // Warm: the cache a cold run left, then the last migration edited before each run (a new statement
  // each time, so the state after it is never the one cached).
  const cache = join(work, 'warm-cache');
  pgarchWall(review(cache));
  const warm = await times(RUNS, (i) => {
    writeFileSync(last, `${original}\nALTER TABLE entity_0 ADD COLUMN edited_${i} text;\n`);
    return pgarchWall(review(cache));
  });
  writeFileSync(last, original);
  const noCache = await times(1, () => pgarchWall([...review(cache), '--no-cache']));
  const squawk = summarize([runSquawk(...files).ms, runSquawk(...files).ms, runSquawk(...files).ms]);

  // The example project, warm: its history is short, so it is run, never restored.
  pgarchWall(['review', 'examples/shop', '--format', 'json']);
  const shop = await times(RUNS, () => pgarchWall(['review', 'examples/shop', '--format', 'json']));

  console.log(`review: generated history of ${files.length} files, ${lines.toLocaleString('en')} lines, whole process:`);
  console.log(`        cold ${fmt(cold)} (target ≤ 6 s); warm after editing the last file ${fmt(warm)} (target ≤ 1.5 s); --no-cache ${fmt(noCache)}`);
  console.log(`        Squawk on the same files ${fmt(squawk)}: cold ${(cold.best / squawk.best).toFixed(0)}x, warm ${(warm.best / squawk.best).toFixed(0)}x Squawk's wall time`);
  console.log(`        review examples/shop warm ${fmt(shop)} (target < 4 s)`);
  writeResult('review', {
    history: { files: files.length, lines, coldMs: cold, warmMs: warm, noCacheMs: noCache, squawkMs: squawk, targets: { coldMs: 6000, warmMs: 1500 } },
    shop: { warmMs: shop, targetMs: 4000 },
  });
}

async function floor(work: string): Promise<void> {
  const dir = join(work, 'ddl');
  mkdirSync(dir);
  const file = join(dir, '0001_ddl_heavy.sql');
  writeFileSync(file, generateDdlHeavySql(20_000));
  await loadParser();
  const statements = parseFileSync(readFileSync(file, 'utf8'), file).statements.map((s) => s.text);

  // The engine alone: the same statements, no pgarch, engine start excluded (as in lintMs).
  const engineAlone = async (batch: number): Promise<number> => {
    const engine = await openEngine({});
    try {
      const t = performance.now();
      for (let i = 0; i < statements.length; i += batch) await engine.exec(statements.slice(i, i + batch).join(';\n'));
      return performance.now() - t;
    } finally {
      await engine.close();
    }
  };
  const perStatement = await times(RUNS, () => engineAlone(1));
  const batched = await times(RUNS, () => engineAlone(100));
  const pgarch = await times(RUNS, async () => (await lintMigrations({ paths: [file] })).timings.lintMs);
  const ratio = pgarch.best / perStatement.best;
  const ratioBatched = pgarch.best / batched.best;
  console.log(`review: engine floor on a DDL-heavy file of ${statements.length.toLocaleString('en')} statements (engine start excluded):`);
  console.log(`        PGlite alone ${fmt(perStatement)} one statement at a time, ${fmt(batched)} in batches of 100`);
  console.log(`        pgarch catalog-aware lint ${fmt(pgarch)}: ${ratio.toFixed(2)}x the engine one at a time, ${ratioBatched.toFixed(2)}x batched (target ≤ 1.3x)`);

  // Parse-only, whole process against whole process.
  const noExecute = await times(RUNS, () => pgarchWall(['lint', 'migrations', file, '--no-execute', '--format', 'json']));
  const squawk = summarize([runSquawk(file).ms, runSquawk(file).ms, runSquawk(file).ms]);
  console.log(`        lint migrations --no-execute ${fmt(noExecute)}; Squawk ${fmt(squawk)}: ${(squawk.best / noExecute.best).toFixed(2)}x Squawk's speed (target ≥ 1x)`);
  writeResult('review-floor', {
    statements: statements.length,
    engineAloneMs: { perStatement, batched },
    pgarchLintMs: pgarch,
    ratio: { perStatement: ratio, batched: ratioBatched, target: 1.3 },
    noExecute: { pgarchWallMs: noExecute, squawkWallMs: squawk, speedVsSquawk: squawk.best / noExecute.best, target: 1 },
  });
}
