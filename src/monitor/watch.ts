// `pgarch health --watch N`: the checks again every N seconds, and what changed between two runs —
// findings that appeared and findings that went away — so a terminal shows news, not the same list.
import type { Finding, Report } from '../types.js';
import { runHealth, type HealthOptions } from './run.js';

export interface HealthChange {
  report: Report;
  /** Findings not in the previous run (all of them on the first). */
  appeared: Finding[];
  /** Findings of the previous run that are gone. */
  resolved: Finding[];
}

/** What makes two findings the same problem: the check, the object and the message without its counters. */
function key(f: Finding): string {
  return `${f.rule}|${f.object ?? ''}|${f.message.replace(/[\d,.]+/g, '#')}`;
}

export function changes(previous: Finding[], current: Finding[]): { appeared: Finding[]; resolved: Finding[] } {
  const before = new Set(previous.map(key));
  const now = new Set(current.map(key));
  return { appeared: current.filter((f) => !before.has(key(f))), resolved: previous.filter((f) => !now.has(key(f))) };
}

/**
 * Run the checks every `intervalSeconds` until `signal` aborts (or `runs` have been made), handing each
 * run and its changes to `onRun`.
 */
export async function watchHealth(options: HealthOptions, intervalSeconds: number, onRun: (change: HealthChange) => void | Promise<void>, limits: { signal?: AbortSignal; runs?: number } = {}): Promise<void> {
  let previous: Finding[] = [];
  for (let run = 0; !limits.signal?.aborted && (limits.runs === undefined || run < limits.runs); run++) {
    if (run > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalSeconds * 1000);
        limits.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (limits.signal?.aborted) break;
    }
    const report = await runHealth(options);
    await onRun({ report, ...changes(previous, report.findings) });
    previous = report.findings;
  }
}
