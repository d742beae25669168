// A migration's steps, parsed: the statements of its up (or down) section (dbmate, goose), located in
// the whole file so findings point at the lines the user sees.
import { parseFileSync, type ParsedFile } from '../sql/parse.js';
import type { Migration } from './layouts/types.js';

/** Requires the parser module to be loaded. */
export function parseMigration(m: Migration): ParsedFile {
  return parseSection(m.text, m.file, m.up);
}

/** Its down step, when it has one: the down file, or the down section of its file. Requires the parser module to be loaded. */
export function parseMigrationDown(m: Migration): ParsedFile | undefined {
  return m.down && parseSection(m.down.text, m.down.file, m.down);
}

function parseSection(text: string, file: string, range: { start: number; end: number }): ParsedFile {
  const parsed = parseFileSync(text, file);
  if (range.start === 0 && range.end === text.length) return parsed;
  const inRange = (offset: number) => offset >= range.start && offset < range.end;
  return {
    ...parsed,
    statements: parsed.statements.filter((s) => inRange(s.start)),
    findings: parsed.findings.filter((f) => f.location?.line === undefined || inRange(offsetOfLine(text, f.location.line))),
    locate: parsed.locate,
  };
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset;
}
