// `pgarch health --format markdown`: the review's Monitoring section. Findings are grouped the way an
// architect reads a live database — what is happening now, what will break, what wastes work — each
// group a table of check, object and what to do.
import { escapeCell } from '../report/markdown.js';
import { SEVERITY_RANK, summaryText } from '../report/common.js';
import type { Finding, Report } from '../types.js';

const GROUPS: Array<{ title: string; rules: string[] }> = [
  { title: 'Activity and locks', rules: ['blocked-query', 'long-running-query', 'idle-in-transaction', 'connection-usage', 'lock-wait'] },
  { title: 'Wraparound and sequences', rules: ['xid-wraparound', 'multixact-wraparound', 'sequence-exhaustion'] },
  { title: 'Replication', rules: ['replication-lag', 'inactive-replication-slot'] },
  { title: 'Vacuum and bloat', rules: ['autovacuum-disabled', 'vacuum-stale', 'dead-tuples', 'table-bloat', 'index-bloat'] },
  { title: 'Indexes and constraints', rules: ['invalid-index', 'invalid-constraint', 'duplicate-index', 'unused-index', 'missing-index-candidate'] },
  { title: 'Queries', rules: ['slow-queries', 'cache-hit-ratio'] },
  { title: 'Settings', rules: ['setting-review'] },
];

export function formatHealthMarkdown(report: Report, heading = '## Monitoring'): string {
  const out = [heading, ''];
  const checks = report.summary.checks;
  if (!report.findings.length) {
    out.push(`No findings${checks ? ` in ${checks} checks` : ''}: nothing on this database needs attention now.`);
    return out.join('\n');
  }
  out.push(`**${summaryText(report.summary)}**`, '');
  const placed = new Set<Finding>();
  const section = (title: string, findings: Finding[]) => {
    if (!findings.length) return;
    out.push(`### ${title}`, '', '| Severity | Check | Object | Finding |', '| --- | --- | --- | --- |');
    for (const f of [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])) {
      placed.add(f);
      const text = escapeCell(f.message) + (f.hint ? `<br>_${escapeCell(f.hint)}_` : '') + (f.fix ? `<br>${fixLines(f.fix.sql)}` : '');
      out.push(`| ${f.severity} | \`${f.rule}\` | ${escapeCell(f.object ?? '(database)')} | ${text} |`);
    }
    out.push('');
  };
  for (const group of GROUPS) section(group.title, report.findings.filter((f) => group.rules.includes(f.rule)));
  // Checks that failed (rule-error) and anything a newer check adds: never dropped.
  section('Other', report.findings.filter((f) => !placed.has(f)));
  return out.join('\n').trimEnd();
}

/** Fix SQL in a table cell: one code span per line (a code span cannot hold a line break). */
function fixLines(sql: string): string {
  return sql
    .trim()
    .split(/\r?\n/)
    // Entities are not decoded inside a code span; only a pipe must be escaped there (GFM tables).
    .map((line) => `\`${line.replace(/\|/g, '\\|').replace(/`/g, "'")}\``)
    .join('<br>');
}
