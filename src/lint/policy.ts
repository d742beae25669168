// Apply the user's choices to raw findings: inline ignore directives and per-rule config.
import type { Config } from '../config.js';
import { isIgnored } from '../sql/directives.js';
import type { ParsedFile } from '../sql/parse.js';
import { summarize } from '../report/summary.js';
import type { Finding, Report } from '../types.js';
import { VERSION } from '../version.js';

export function applyPolicy(findings: Finding[], files: ParsedFile[], config: Config): Finding[] {
  const byFile = new Map(files.map((f) => [f.file, f]));
  const out: Finding[] = [];
  for (const f of findings) {
    const setting = config.rules[f.rule];
    if (setting === 'off') continue;
    const parsed = f.location?.file !== undefined ? byFile.get(f.location.file) : undefined;
    if (parsed && ignoredInline(f, parsed)) continue;
    out.push(setting ? { ...f, severity: setting } : f);
  }
  return out.sort(compareFindings);
}

/** Whether the file's or the statement's `-- pgarch-ignore` directive silences the finding. */
function ignoredInline(f: Finding, parsed: ParsedFile): boolean {
  if (isIgnored(f.rule, parsed.directives.fileIgnored)) return true;
  const stmt = statementAt(parsed, f);
  return Boolean(stmt && isIgnored(f.rule, stmt.ignored));
}

/** Remove, in place, the findings of `parsed` its inline directives silence (before they are folded). */
export function dropIgnored(findings: Finding[], parsed: ParsedFile): void {
  let w = 0;
  for (const f of findings) if (f.location?.file !== parsed.file || !ignoredInline(f, parsed)) findings[w++] = f;
  findings.length = w;
}

function statementAt(parsed: ParsedFile, f: Finding) {
  const { statement, line } = f.location ?? {};
  if (statement !== undefined) return parsed.statements[statement - 1];
  // Findings located by line only (rare): the last statement starting at or before it.
  return line === undefined ? undefined : [...parsed.statements].reverse().find((s) => s.line <= line);
}

/** Stable order: by file, line, column, then rule. */
export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.location?.file ?? '\uffff';
  const fb = b.location?.file ?? '\uffff';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0) || a.rule.localeCompare(b.rule);
}

/** The report every findings command returns: the user's policy applied, counted, timed from `started`. */
export function buildReport(findings: Finding[], files: ParsedFile[], config: Config, counts: { files: number; statements: number; started: number }): Report {
  const kept = applyPolicy(findings, files, config);
  return {
    tool: 'pgarch',
    version: VERSION,
    findings: kept,
    summary: summarize(kept, { files: counts.files, statements: counts.statements, elapsedMs: Math.round(performance.now() - counts.started) }),
  };
}
