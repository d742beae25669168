// The advice as a terminal reads it: the proposals ranked by what they save, what to drop, and each
// query's cost before and after; input findings (queries that did not parse or plan) first.
import { formatText } from '../report/text.js';
import { formatCost } from './advise.js';
import type { AdviceReport } from './types.js';

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const where = (l?: { file?: string; line?: number; column?: number }) => (l?.file ? `${l.file}${l.line ? `:${l.line}:${l.column ?? 1}` : ''}` : '');

export function formatAdviceText(report: AdviceReport, opts: { color: boolean }): string {
  const lines: string[] = [];
  const problems = { ...report, findings: report.findings.filter((f) => !f.rule.startsWith('advise-')) };
  if (problems.findings.length) lines.push(formatText(problems, opts), '');
  const a = report.advice;
  if (!a) return lines.join('\n').trimEnd();
  const saved = a.totalBefore > 0 ? ((a.totalBefore - a.totalAfter) / a.totalBefore) * 100 : 0;
  const size = a.indexes.reduce((n, i) => n + i.sizeBytes, 0);
  lines.push(`Index advice for ${a.queries.length} queries — costs from ${a.costing === 'hypopg' ? 'hypothetical indexes (HypoPG)' : 'real indexes built on a copy'} on ${a.engine}`);
  lines.push(`Workload cost ${formatCost(a.totalBefore)} → ${formatCost(a.totalAfter)} (−${saved.toFixed(1)}%) with ${a.indexes.length} index${a.indexes.length === 1 ? '' : 'es'}, ${mb(size)}; ${a.candidates} candidates, ${a.plans} what-if plans`);
  lines.push('');
  const byId = new Map(a.queries.map((q) => [q.id, q]));
  a.indexes.forEach((p, i) => {
    lines.push(`${String(i + 1).padStart(2)}. ${p.sql}`);
    if (p.replaces) lines.push(`    replaces ${p.replaces}: DROP INDEX CONCURRENTLY ${p.replaces}; once it is built`);
    if (p.extension) lines.push(`    needs CREATE EXTENSION IF NOT EXISTS ${p.extension};`);
    lines.push(`    ${mb(p.sizeBytes)}, about ${p.buildSeconds.toFixed(1)} s to build; saves ${formatCost(p.benefit)} per period${p.writeCost ? ` after ${formatCost(p.writeCost)} of write cost` : ''}`);
    for (const id of p.serves) {
      const q = byId.get(id);
      if (q?.costBefore !== undefined) lines.push(`    serves #${id} ${where(q.location)} ×${q.weight}: ${formatCost(q.costBefore)} → ${formatCost(q.costAfter!)}`);
    }
  });
  if (a.indexes.length === 0) lines.push('No index pays for itself on this workload.');
  if (a.drops.length) {
    lines.push('', 'Drop');
    for (const d of a.drops) {
      const why = d.reason === 'unused' ? `no query of the workload uses it${d.scans === 0 ? ', never scanned since the statistics reset' : ''}` : `covered by ${d.coveredBy}`;
      lines.push(`  ${d.sql}  -- ${mb(d.sizeBytes)}, ${why}`);
    }
  }
  lines.push('', 'Queries (cost per call before → after, × weight)');
  for (const q of a.queries) {
    const cost = q.costBefore === undefined ? 'not planned' : `${formatCost(q.costBefore)} → ${formatCost(q.costAfter!)}`;
    lines.push(`  #${String(q.id).padEnd(3)} ${where(q.location).padEnd(28)} ×${String(q.weight).padEnd(7)} ${cost}${q.uses.length ? `  uses ${q.uses.join(', ')}` : ''}`);
  }
  lines.push('', `Method: ${a.method}.`);
  return lines.join('\n');
}
