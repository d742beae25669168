// Human-readable, ESLint-"stylish"-like output for terminals.
import pc from 'picocolors';
import type { Finding, Report, Severity } from '../types.js';
import { compareFindings, displayPath, hasProblems, scopeText, summaryText } from './common.js';

/** Heading for findings that have no file (catalog / live-database checks). */
const DATABASE_GROUP = '(database)';

/** `findingsOnly`: the grouped findings without the folder list and the summary line (review prints those once). */
export function formatText(report: Report, opts: { color: boolean; quiet?: boolean; findingsOnly?: boolean }): string {
  // A private palette: never touch picocolors' global state, which depends on the TTY/env.
  const c = pc.createColors(opts.color);
  const paint: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, info: c.cyan };

  const shown = opts.quiet ? report.findings.filter((f) => f.severity === 'error') : report.findings;

  // Group by display path; file-less findings share one group, printed last.
  const groups = new Map<string, Finding[]>();
  for (const f of shown) {
    const key = f.location?.file ? displayPath(f.location.file).path : DATABASE_GROUP;
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  const keys = [...groups.keys()].sort((a, b) =>
    a === DATABASE_GROUP ? 1 : b === DATABASE_GROUP ? -1 : a < b ? -1 : a > b ? 1 : 0,
  );

  const out: string[] = opts.findingsOnly ? [] : inputLines(report, c);
  for (const key of keys) {
    const list = groups.get(key)!.sort(compareFindings);
    // Align the position and severity columns within a group, as ESLint does.
    const positions = list.map((f) => position(f, key === DATABASE_GROUP));
    const posWidth = Math.max(...positions.map((p) => p.length));
    const sevWidth = Math.max(...list.map((f) => f.severity.length));
    out.push(c.underline(key));
    list.forEach((f, i) => {
      const pos = c.dim(positions[i].padEnd(posWidth));
      // Pad before colouring so ANSI codes do not break the alignment.
      const sev = paint[f.severity](f.severity.padEnd(sevWidth));
      const message = f.message.replace(/\r?\n/g, ' ');
      out.push(`  ${pos}  ${sev}  ${message}  ${c.dim(f.rule)}`);
      const indent = ' '.repeat(2 + posWidth + 2);
      if (f.hint) out.push(indent + c.dim(`hint: ${f.hint}`));
      if (f.fix) {
        out.push(indent + c.dim(`fix: ${f.fix.description}`));
        for (const line of f.fix.sql.trimEnd().split(/\r?\n/)) out.push(indent + '  ' + c.green(line));
      }
    });
    out.push('');
  }

  if (opts.findingsOnly) return out.join('\n').trimEnd();
  out.push(summaryLine(report.summary, c));
  return out.join('\n');
}

type Colors = ReturnType<typeof pc.createColors>;

/** Which folders were read as which tool's migrations, and what the tool would not run; a blank line after. */
export function inputLines(report: Report, c: Colors): string[] {
  const out: string[] = [];
  for (const input of report.inputs ?? []) {
    out.push(c.dim(`${displayPath(input.path).path}: ${input.tool}, ${input.files} migration${input.files === 1 ? '' : 's'}`));
    for (const s of input.skipped ?? []) out.push(c.dim(`  skipped ${displayPath(s.file).path}: ${s.reason}`));
  }
  if (out.length) out.push('');
  return out;
}

/** The last line: ✖ and the counts, or ✔ No problems found. */
export function summaryLine(s: Report['summary'], c: Colors): string {
  return hasProblems(s) ? c.bold((s.errors > 0 ? c.red : c.yellow)(`✖ ${summaryText(s)}`)) : c.green(`✔ No problems found in ${scopeText(s)}`);
}

/** `12:5`, `12`, or `-`; in the database group the object stands in for a position. */
function position(f: Finding, database: boolean): string {
  const loc = f.location;
  if (loc?.line) return loc.column ? `${loc.line}:${loc.column}` : `${loc.line}`;
  if (database && f.object) return f.object;
  return '-';
}
