import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export function writeResult(name: string, result: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const record = { benchmark: name, date: new Date().toISOString(), node: process.version, ...result };
  writeFileSync(`${RESULTS_DIR}${name}.json`, `${JSON.stringify(record, null, 2)}\n`);
}

/** Best of n wall-clock runs, in milliseconds. */
export async function bestOf(n: number, fn: () => unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

const SQUAWK_VERSION = '2.66.0';
const SQUAWK_DIR = fileURLToPath(new URL('./.squawk/', import.meta.url));

/**
 * Squawk is the baseline, installed on first use into bench/.squawk (git-ignored) rather than as a
 * devDependency: its lock entries for other platforms' binaries are not served here, which makes
 * `npm ci` refuse the project's lock file.
 */
function squawkBin(): string {
  const bin = `${SQUAWK_DIR}node_modules/.bin/squawk`;
  if (!existsSync(bin)) {
    console.log(`(installing squawk-cli@${SQUAWK_VERSION} into bench/.squawk for the baseline)`);
    const r = spawnSync('npm', ['install', '--prefix', SQUAWK_DIR, '--no-audit', '--no-fund', '--no-save', `squawk-cli@${SQUAWK_VERSION}`], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('could not install squawk-cli for the benchmark baseline');
  }
  return bin;
}

/** Squawk (npm squawk-cli) on a file: the baseline, run in the same process tree and session. */
export function runSquawk(...files: string[]): { ms: number; status: number | null } {
  const bin = squawkBin();
  const t = performance.now();
  const r = spawnSync(bin, [...files, '--reporter', 'gcc'], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
  return { ms: performance.now() - t, status: r.status };
}

/** Squawk's findings on files, counted by rule (its JSON reporter). */
export function squawkFindings(...files: string[]): { total: number; byRule: Record<string, number> } {
  const r = spawnSync(squawkBin(), [...files, '--reporter', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const violations = JSON.parse(r.stdout || '[]') as Array<{ rule_name: string }>;
  const byRule: Record<string, number> = {};
  for (const v of violations) byRule[v.rule_name] = (byRule[v.rule_name] ?? 0) + 1;
  return { total: violations.length, byRule: Object.fromEntries(Object.entries(byRule).sort()) };
}
