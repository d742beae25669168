// GitHub Actions workflow commands, which render as inline annotations on the PR diff.
// Escaping follows the runner's toolkit (actions/toolkit core/src/command.ts).
import type { Finding, Report, Severity } from '../types.js';
import { displayPath } from './common.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Escape the message part (after `::`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escape a property value; `:` and `,` would otherwise end the value early. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(report: Report): string {
  return report.findings.map(command).join('\n');
}

function command(f: Finding): string {
  const props: string[] = [];
  const loc = f.location;
  // Annotations attach to repository-relative paths; omit what we do not know.
  if (loc?.file) {
    props.push(`file=${escapeProperty(displayPath(loc.file).path)}`);
    if (loc.line) {
      props.push(`line=${loc.line}`);
      if (loc.column) props.push(`col=${loc.column}`);
    }
  }
  props.push(`title=${escapeProperty(f.rule)}`);
  const text = f.hint ? `${f.message}\nHint: ${f.hint}` : f.message;
  return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(text)}`;
}
