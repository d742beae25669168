// Helpers shared by the formatters, so every format orders and names locations the same way.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Finding, Severity, Summary } from '../types.js';

/** Lower rank sorts first: errors before warnings before infos. */
export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Deterministic order within one file: position first, then severity, then rule id. */
export function compareFindings(a: Finding, b: Finding): number {
  // Unknown positions sort last so that located findings read top to bottom.
  const la = a.location?.line ?? Number.MAX_SAFE_INTEGER;
  const lb = b.location?.line ?? Number.MAX_SAFE_INTEGER;
  if (la !== lb) return la - lb;
  const ca = a.location?.column ?? 0;
  const cb = b.location?.column ?? 0;
  if (ca !== cb) return ca - cb;
  const sa = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (sa !== 0) return sa;
  return a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
}

/**
 * Path relative to cwd with forward slashes when the file lies inside cwd (CI tools such as
 * GitHub match annotations against repository-relative paths); otherwise the absolute path.
 */
export function displayPath(file: string, cwd: string = process.cwd()): { path: string; inside: boolean } {
  const abs = resolve(cwd, file);
  const rel = relative(cwd, abs);
  // `..` prefix: above cwd; absolute result: another drive on Windows.
  const inside = rel !== '' && rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel);
  return inside ? { path: rel.split(sep).join('/'), inside } : { path: abs, inside };
}

/** `file:line:col`, `file:line`, `file`, or the object, for places that need one string. */
export function locationLabel(f: Finding): string {
  const loc = f.location;
  if (loc?.file) {
    let s = displayPath(loc.file).path;
    if (loc.line) s += `:${loc.line}` + (loc.column ? `:${loc.column}` : '');
    return s;
  }
  return f.object ?? '(database)';
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "4 files (123 statements, 0.9 s)": what was checked and how long it took. */
export function scopeText(s: Summary): string {
  if (s.checks !== undefined) return `${plural(s.checks, 'check')} (${(s.elapsedMs / 1000).toFixed(1)} s)`;
  return `${plural(s.files, 'file')} (${plural(s.statements, 'statement')}, ${(s.elapsedMs / 1000).toFixed(1)} s)`;
}

/** "3 errors, 5 warnings, 2 infos in 4 files (123 statements, 0.9 s)" — shared by text and markdown. */
export function summaryText(s: Summary): string {
  return `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'info')} in ${scopeText(s)}`;
}

export function hasProblems(s: Summary): boolean {
  return s.errors + s.warnings + s.infos > 0;
}
