// The review in its five parts, for a terminal and for a pull request. Both start with one screen of
// summary (each part's counts, each checklist's tally), then each part: its findings as the usual
// reporters print them, the Migration part's checklists, the Monitoring part's queries to run.
import pc from 'picocolors';
import { escapeCell, formatMarkdown } from '../report/markdown.js';
import { plural, summaryText } from '../report/common.js';
import { formatText, inputLines, summaryLine } from '../report/text.js';
import type { ChecklistItem, MigrationChecklist, Report, ReviewSection } from '../types.js';

const MARK: Record<ChecklistItem['status'], string> = { pass: '✔', fail: '✖', human: '?' };
const WORD: Record<ChecklistItem['status'], string> = { pass: 'pass', fail: 'fail', human: 'needs a human' };

const counts = (s: ReviewSection['summary']) => (s.errors + s.warnings + s.infos ? `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'info')}` : 'no findings');
const tally = (c: MigrationChecklist) => (['pass', 'fail', 'human'] as const).map((st) => `${c.items.filter((i) => i.status === st).length} ${WORD[st]}`).join(', ');
const sectionReport = (report: Report, section: ReviewSection): Report => ({ ...report, findings: section.findings.map((i) => report.findings[i]), summary: { ...report.summary, ...section.summary }, inputs: undefined });

export function formatReviewText(report: Report, opts: { color: boolean; quiet?: boolean }): string {
  const c = pc.createColors(opts.color);
  const sections = report.sections ?? [];
  const out = inputLines(report, c);
  // One screen first: what each part holds.
  out.push(c.bold('Review'));
  for (const s of sections) {
    const paint = s.summary.errors ? c.red : s.summary.warnings ? c.yellow : c.green;
    out.push(`  ${s.title.padEnd(11)} ${paint(counts(s.summary))}${s.checklists?.length ? c.dim(` · ${s.checklists.length} migration checklist${s.checklists.length === 1 ? '' : 's'}, ${s.checklists.reduce((n, cl) => n + cl.items.filter((i) => i.status === 'fail').length, 0)} items failed`) : ''}`);
  }
  for (const s of sections) {
    out.push('', c.bold(c.underline(`${s.title}`)));
    const findings = formatText(sectionReport(report, s), { color: opts.color, quiet: opts.quiet, findingsOnly: true });
    if (findings) out.push(findings);
    else if (!s.note && !s.checklists?.length) out.push(c.dim('  No findings.'));
    for (const cl of s.checklists ?? []) {
      out.push('', `${c.bold(`Checklist ${cl.migration}`)} ${c.dim(`(${tally(cl)})`)}`);
      // A terminal gets what failed in full and the rest by name; markdown and json hold every detail.
      for (const item of cl.items.filter((i) => i.status === 'fail')) out.push(`  ${c.red(MARK.fail)} ${item.group.padEnd(11)} ${item.title}: ${c.dim(item.detail)}`);
      const human = cl.items.filter((i) => i.status === 'human');
      if (human.length && !opts.quiet) out.push(`  ${c.yellow(MARK.human)} ${c.dim(`needs a human: ${human.map((i) => i.title).join('; ')}`)}`);
    }
    if (s.note) out.push(c.dim(`  ${s.note}`));
    for (const q of s.queries ?? []) out.push('', c.dim(`  -- ${q.title}`), ...q.sql.split('\n').map((l) => `  ${c.green(l)}`));
  }
  out.push('', summaryLine(report.summary, c));
  return out.join('\n');
}

/** For a pull request: the summary table, then each part in a collapsible block (open when it has errors). */
export function formatReviewMarkdown(report: Report): string {
  const sections = report.sections ?? [];
  const out = ['## pgarch review', '', `**${summaryText(report.summary)}**`, '', '| Part | Findings | Checklists |', '| --- | --- | --- |'];
  for (const s of sections) {
    const failed = s.checklists?.reduce((n, cl) => n + cl.items.filter((i) => i.status === 'fail').length, 0) ?? 0;
    out.push(`| ${s.title} | ${counts(s.summary)} | ${s.checklists?.length ? `${s.checklists.length} migration${s.checklists.length === 1 ? '' : 's'}, ${failed} items failed` : '–'} |`);
  }
  for (const s of sections) {
    out.push('', `<details${s.summary.errors ? ' open' : ''}><summary><strong>${s.title}</strong>: ${counts(s.summary)}</summary>`, '');
    // The part's table and fixes, without the heading and summary line its summary above already gives.
    if (s.findings.length) out.push(formatMarkdown(sectionReport(report, s), s.title).replace(/^## .*\n\n\*\*.*\*\*\n\n/, ''));
    for (const cl of s.checklists ?? []) {
      // Each migration's checklist folds away, open when an item failed.
      const failed = cl.items.some((i) => i.status === 'fail');
      out.push('', `<details${failed ? ' open' : ''}><summary>Checklist <code>${escapeCell(cl.migration)}</code>: ${tally(cl)}</summary>`, '', '| | Group | Item | Why |', '| --- | --- | --- | --- |');
      for (const item of cl.items) out.push(`| ${MARK[item.status]} ${WORD[item.status]} | ${item.group} | ${escapeCell(item.title)} | ${escapeCell(item.detail)} |`);
      out.push('', '</details>');
    }
    if (s.note) out.push('', `_${escapeCell(s.note)}_`);
    for (const q of s.queries ?? []) out.push('', `**${q.title}**`, '', '```sql', q.sql, '```');
    out.push('', '</details>');
  }
  return out.join('\n');
}
