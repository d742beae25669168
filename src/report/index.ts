// Entry point for output: pick a formatter by name. Formatters return text without a
// trailing newline; the caller writes it (and adds the newline) to stdout or a file.
import type { Report } from '../types.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatMarkdown } from './markdown.js';
import { type RuleMeta, formatSarif } from './sarif.js';
import { formatText } from './text.js';

export type Format = 'text' | 'json' | 'sarif' | 'github' | 'markdown';
export const FORMATS: Format[] = ['text', 'json', 'sarif', 'github', 'markdown'];

export interface FormatOptions {
  color: boolean;
  /** Text format only: show errors only (the summary still counts everything). */
  quiet?: boolean;
  /** SARIF only: descriptions and default levels for rule descriptors. */
  rules?: RuleMeta[];
}

export function formatReport(report: Report, format: Format, opts: FormatOptions): string {
  switch (format) {
    case 'text':
      return formatText(report, { color: opts.color, quiet: opts.quiet });
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, opts.rules);
    case 'github':
      return formatGithub(report);
    case 'markdown':
      return formatMarkdown(report);
    default: {
      // Exhaustiveness check at compile time; a clear error if a bad string slips through at run time.
      const never: never = format;
      throw new Error(`unknown format: ${String(never)}`);
    }
  }
}

export { formatText } from './text.js';
export { formatJson } from './json.js';
export { formatSarif, type RuleMeta } from './sarif.js';
export { formatGithub, escapeData, escapeProperty } from './github.js';
export { formatMarkdown, escapeCell } from './markdown.js';
export { summarize, exitCodeFor } from './summary.js';
