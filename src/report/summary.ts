import type { Finding, Summary } from '../types.js';

/** Count findings by severity; the other figures come from the run that produced them. */
export function summarize(
  findings: Finding[],
  extra: { files: number; statements: number; elapsedMs: number },
): Summary {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  // Explicit key order: the JSON contract lists summary keys in this order.
  return { errors, warnings, infos, files: extra.files, statements: extra.statements, elapsedMs: extra.elapsedMs };
}

/**
 * Process exit code: 1 when any error is found, or when warnings exceed maxWarnings.
 * A negative maxWarnings means "no limit" (the ESLint convention for --max-warnings -1).
 */
export function exitCodeFor(findings: Finding[], maxWarnings?: number): 0 | 1 | 3 {
  // The engine died: what came after was not checked, which no other finding can say.
  if (findings.some((f) => f.rule === 'engine-failure')) return 3;
  if (findings.some((f) => f.severity === 'error')) return 1;
  if (maxWarnings !== undefined && maxWarnings >= 0) {
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    if (warnings > maxWarnings) return 1;
  }
  return 0;
}
