// Markdown for PR comments and job summaries ($GITHUB_STEP_SUMMARY).
import type { Finding, Report } from '../types.js';
import { SEVERITY_RANK, compareFindings, displayPath, locationLabel, summaryText } from './common.js';

/** Make text safe inside a GFM table cell: `|` would split the cell, newlines would end the row. */
export function escapeCell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

export function formatMarkdown(report: Report, title = 'pgarch report'): string {
  const out = [`## ${title}`, ''];
  if (report.findings.length === 0) {
    out.push('No problems found.');
    return out.join('\n');
  }
  out.push(`**${summaryText(report.summary)}**`, '');

  // Most severe first, then by location so related findings sit together.
  const sorted = [...report.findings].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || cmp(fileKey(a), fileKey(b)) || compareFindings(a, b),
  );
  out.push('| Severity | Rule | Location | Message |', '| --- | --- | --- | --- |');
  for (const f of sorted) {
    const message = escapeCell(f.message) + (f.hint ? `<br>_Hint: ${escapeCell(f.hint)}_` : '');
    out.push(`| ${f.severity} | \`${f.rule.replace(/\|/g, '\\|')}\` | ${escapeCell(locationLabel(f))} | ${message} |`);
  }

  const withFix = sorted.filter((f): f is Finding & { fix: NonNullable<Finding['fix']> } => !!f.fix);
  if (withFix.length > 0) out.push('', '### Suggested fixes');
  for (const f of withFix) {
    // A longer fence than any backtick run in the SQL keeps the block from closing early.
    const longest = Math.max(2, ...(f.fix.sql.match(/`+/g) ?? []).map((m) => m.length));
    const fence = '`'.repeat(longest + 1);
    out.push('', `#### \`${f.rule}\` at ${escapeCell(locationLabel(f))}`, '', escapeCell(f.fix.description), '');
    out.push(fence + 'sql', f.fix.sql.trimEnd(), fence);
  }
  return out.join('\n');
}

// File-less findings sort after files; plain code-unit comparison keeps output locale-independent.
function fileKey(f: Finding): string {
  return f.location?.file ? displayPath(f.location.file).path : '\uffff' + (f.object ?? '');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
