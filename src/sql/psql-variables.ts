// psql variables in SQL scripts: `:name`, `:'name'` (as a literal) and `:"name"` (as an identifier).
// PostgreSQL's grammar has none of them, so a script that uses one was a syntax error. They are found
// with the real scanner (a `:` token touching the name, outside strings, comments and array slices),
// and the parser reads a placeholder of the same length (so every position stays). The statement
// runs with the value the file gives with `\set`, as psql would; one the file does not set (`psql -v`)
// is checked from its text and not executed.
import { SqlText } from './tokens.js';

export interface PsqlVariable {
  /** Character offsets of the whole reference (`:name`, `:'name'`, `:"name"`) in the file text. */
  start: number;
  end: number;
  name: string;
  form: 'raw' | 'literal' | 'identifier';
}

/** A cheap test before scanning: a `:` before a name or a quote, not part of `::`. */
const CANDIDATE = /(^|[^:]):['"A-Za-z_]/;

/**
 * Whether the text may hold a variable, before the scanner is asked: some line that is not a whole-line
 * comment has a candidate. Tools' section markers (`-- migrate:up`, `-- +goose Up`) are such comments, and
 * scanning every dbmate file for them doubled its parse time. A line that starts with `--` inside a
 * quoted string holds no variable either: psql does not substitute inside quotes.
 */
function mayHoldVariable(text: string): boolean {
  if (!CANDIDATE.test(text)) return false;
  for (const line of text.split('\n')) if (CANDIDATE.test(line) && !/^\s*--/.test(line)) return true;
  return false;
}

export function findPsqlVariables(text: string, inHole: (offset: number) => boolean): PsqlVariable[] {
  if (!mayHoldVariable(text)) return [];
  let tokens;
  try {
    tokens = new SqlText(text, () => undefined).tokens;
  } catch {
    return []; // an unterminated quote: the parser reports the file's real error
  }
  const found: PsqlVariable[] = [];
  let brackets = 0;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    if (t.text === '[') brackets++;
    else if (t.text === ']') brackets = Math.max(0, brackets - 1);
    // `a[1:n]` is a slice, not a variable.
    if (t.text !== ':' || brackets > 0 || inHole(t.start)) continue;
    const next = tokens[i + 1];
    if (next.start !== t.end) continue;
    const word = /^[A-Za-z_][A-Za-z0-9_]*$/.test(next.text);
    const literal = next.name === 'SCONST' && /^'[A-Za-z_][A-Za-z0-9_]*'$/.test(next.text);
    const identifier = next.name === 'IDENT' && /^"[A-Za-z_][A-Za-z0-9_]*"$/.test(next.text);
    if (!word && !literal && !identifier) continue;
    found.push({ start: t.start, end: next.end, name: word ? next.text : next.text.slice(1, -1), form: word ? 'raw' : literal ? 'literal' : 'identifier' });
  }
  return found;
}

/** The text the parser reads: each reference replaced by a placeholder of the same length. */
export function withPlaceholders(text: string, variables: PsqlVariable[]): string {
  let out = '';
  let at = 0;
  for (const v of variables) {
    // `:name` → `_name` (an identifier); `:'name'` → `'_name'` (a literal); `:"name"` → `"_name"`.
    const placeholder = v.form === 'raw' ? `_${v.name}` : v.form === 'literal' ? `'_${v.name}'` : `"_${v.name}"`;
    out += text.slice(at, v.start) + placeholder;
    at = v.end;
  }
  return out + text.slice(at);
}

/** `\set name value` meta-commands: name → value (psql's quoting of the value removed). */
export function psqlSetValue(metaCommand: string): { name: string; value: string } | undefined {
  const m = /^\\set\s+([A-Za-z_][A-Za-z0-9_]*)\s*(.*)$/.exec(metaCommand);
  if (!m) return undefined;
  const raw = m[2].trim();
  const value = /^'.*'$/.test(raw) ? raw.slice(1, -1).replace(/''/g, "'") : raw;
  return { name: m[1], value };
}

/** The statement as psql sends it: each variable replaced by its value, quoted as its form says. */
export function interpolate(statementText: string, statementStart: number, variables: PsqlVariable[], values: ReadonlyMap<string, string>): string {
  let out = '';
  let at = 0;
  for (const v of variables) {
    const value = values.get(v.name)!;
    const quoted = v.form === 'raw' ? value : v.form === 'literal' ? `'${value.replace(/'/g, "''")}'` : `"${value.replace(/"/g, '""')}"`;
    out += statementText.slice(at, v.start - statementStart) + quoted;
    at = v.end - statementStart;
  }
  return out + statementText.slice(at);
}
