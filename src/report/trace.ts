// Text rendering of `pgarch trace` results: one block per statement with its locks, rewrites and time.
import { createColors } from 'picocolors';
import type { TraceResult } from '../migrate/trace.js';

export function formatTraceText(result: TraceResult, opts: { color: boolean }): string {
  const c = createColors(opts.color);
  const lines: string[] = [];
  const seeded = Object.entries(result.seeded).map(([t, n]) => `${t}=${n.toLocaleString('en')}`);
  lines.push(c.bold(result.file));
  lines.push(c.dim(`  on ${result.engine}${seeded.length ? `; seeded ${seeded.join(', ')}` : ''}`));
  const { history } = result;
  if (history.migrations) lines.push(c.dim(`  after the ${history.migrations} migration${history.migrations === 1 ? '' : 's'} before it${result.layout ? ` (${result.layout} layout)` : ''}`));
  for (const f of history.failed) lines.push(c.yellow(`  an earlier statement failed, so the catalog may lack what it made: ${f.file}:${f.line}:${f.column}: ${f.message}`));
  lines.push('');
  const width = Math.max(...result.statements.map((s) => `${s.line}:${s.column}`.length), 4);
  for (const s of result.statements) {
    const loc = `${s.line}:${s.column}`.padEnd(width);
    const ms = s.skipped ? '' : `${s.durationMs.toFixed(1)} ms`;
    lines.push(`  ${c.cyan(loc)}  ${s.summary}${ms ? c.dim(`  (${ms})`) : ''}`);
    const pad = ' '.repeat(width + 4);
    if (s.skipped) lines.push(`${pad}${c.dim(`skipped: ${s.skipped}`)}`);
    if (s.error) lines.push(`${pad}${c.red(`error: ${s.error}`)}`);
    for (const l of s.locks) {
      const mode = l.mode === 'AccessExclusiveLock' ? c.red(l.mode) : l.mode === 'ShareLock' || l.mode === 'ShareRowExclusiveLock' || l.mode === 'ExclusiveLock' ? c.yellow(l.mode) : l.mode;
      lines.push(`${pad}${mode} on ${l.kind} ${l.relation}${c.dim(` — blocks ${l.blocks.join(', ')}`)}${s.measured ? '' : c.dim(' (documented; not measurable inside a transaction)')}`);
    }
    if (!s.skipped && !s.error && s.locks.length === 0) lines.push(`${pad}${c.dim('no locks on user relations')}`);
    if (s.locksHeldBefore) lines.push(`${pad}${c.dim(`(${s.locksHeldBefore} relations were already locked by the run, which changed roles and so cannot commit on the server scratch: a lock of the same mode on them is not seen)`)}`);
    for (const r of s.rewrites) lines.push(`${pad}${c.magenta(`rewrote ${r.kind} ${r.relation}`)}`);
  }
  const rewrites = result.statements.reduce((n, s) => n + s.rewrites.length, 0);
  const exclusive = result.statements.filter((s) => s.locks.some((l) => l.mode === 'AccessExclusiveLock' && l.kind === 'table')).length;
  lines.push('');
  const failed = result.statements.filter((s) => s.error).length;
  lines.push(
    `${result.statements.length} statements traced: ${exclusive} took ACCESS EXCLUSIVE, ${rewrites} relation rewrite${rewrites === 1 ? '' : 's'}${failed ? `, ${failed} failed` : ''}`,
  );
  return lines.join('\n');
}
