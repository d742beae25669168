// A migration's up step, parsed: the statements of its up section (dbmate, goose), located in the
// whole file so findings point at the lines the user sees.
import { parseFileSync, type ParsedFile } from '../sql/parse.js';
import type { Migration } from './layouts/types.js';

/** Requires the parser module to be loaded. */
export function parseMigration(m: Migration): ParsedFile {
  const parsed = parseFileSync(m.text, m.file);
  if (m.up.start === 0 && m.up.end === m.text.length) return parsed;
  const inUp = (offset: number) => offset >= m.up.start && offset < m.up.end;
  return {
    ...parsed,
    statements: parsed.statements.filter((s) => inUp(s.start)),
    findings: parsed.findings.filter((f) => f.location?.line === undefined || inUp(offsetOfLine(m.text, f.location.line))),
    locate: parsed.locate,
  };
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset;
}
