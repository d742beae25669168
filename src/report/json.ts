// The machine-readable contract: {"tool","version","findings","summary"} in that key order, then
// "inputs" (the migration folders read, as which layout) where a command reports them, then "sections"
// (review: its five parts, findings by position, each migration's checklist).
import type { Report } from '../types.js';

export function formatJson(report: Report): string {
  const s = report.summary;
  // Rebuild the objects so key order (and absence of extra keys) does not depend on how the caller built them.
  const ordered: Report = {
    tool: report.tool,
    version: report.version,
    findings: report.findings,
    summary: {
      errors: s.errors,
      warnings: s.warnings,
      infos: s.infos,
      files: s.files,
      statements: s.statements,
      elapsedMs: s.elapsedMs,
      ...(s.checks !== undefined ? { checks: s.checks } : {}),
    },
    ...(report.inputs?.length ? { inputs: report.inputs } : {}),
    ...(report.sections ? { sections: report.sections } : {}),
  };
  return JSON.stringify(ordered, null, 2);
}
