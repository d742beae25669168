// sqlc's named parameters in query files: `sqlc.arg(name)`, `sqlc.narg(name)`, `sqlc.slice(name)` and,
// in files sqlc annotates (`-- name: GetUser :one`), the `@name` shorthand. sqlc turns them into `$n`
// before PostgreSQL sees the query; so does this, so that the query lint and the advisor plan the query
// PostgreSQL will run instead of failing on a schema "sqlc" or an operator `@`. `sqlc.embed(t)` is `t.*`.
//
// Found with the real scanner (never a regex over SQL). Each replacement is padded with spaces to the
// length of what it replaces, so every location in the file stays where the user wrote it.
import { scanSync } from '../sql/pg-parser.js';

/** sqlc's query annotation, `-- name: ListAccounts :many`, matched against a comment token's text. */
const ANNOTATION = /^--\s*name:\s*\w+\s+:(one|many|exec|execrows|execresult|execlastid|copyfrom|batchexec|batchmany|batchone)\b/i;

interface Token {
  text: string;
  start: number;
  end: number;
  tokenName: string;
  keywordKind: number;
}

/** The text with sqlc's parameters as `$n` (each statement numbered on its own, after the highest `$n` it has), or the text itself. Requires loadParser(). */
export function sqlcParameters(text: string): string {
  if (!text.includes('sqlc.') && !text.includes('@')) return text;
  let tokens: Token[];
  try {
    tokens = scanSync(text).tokens as Token[];
  } catch {
    return text; // the parser reports what does not scan
  }
  const shorthand = tokens.some((t) => t.tokenName === 'SQL_COMMENT' && ANNOTATION.test(t.text));
  tokens = tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
  // Scanner offsets are bytes; the replacements are made in characters.
  const bytes = Buffer.from(text);
  const char = (byte: number) => bytes.subarray(0, byte).toString().length;
  const isName = (t: Token | undefined) => Boolean(t && (t.tokenName === 'IDENT' || (t.keywordKind > 0 && t.keywordKind < 4)));
  const edits: Array<{ start: number; end: number; text: string }> = [];
  // sqlc numbers each query on its own: one statement at a time, up to its `;`.
  let from = 0;
  while (from < tokens.length) {
    let to = tokens.findIndex((t, k) => k >= from && t.text === ';');
    if (to < 0) to = tokens.length;
    edits.push(...statementEdits(tokens.slice(from, to), shorthand, char, isName));
    from = to + 1;
  }
  let out = text;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text.padEnd(e.end - e.start, ' ') + out.slice(e.end);
  return out;
}

function statementEdits(tokens: Token[], shorthand: boolean, char: (byte: number) => number, isName: (t: Token | undefined) => boolean): Array<{ start: number; end: number; text: string }> {
  let highest = 0;
  for (const t of tokens) if (t.tokenName === 'PARAM') highest = Math.max(highest, Number(t.text.slice(1)));
  const numbers = new Map<string, number>();
  const numberOf = (name: string) => {
    const key = name.toLowerCase();
    if (!numbers.has(key)) numbers.set(key, ++highest);
    return numbers.get(key)!;
  };
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const [a, dot, fn, open, name, close] = tokens.slice(i, i + 6);
    if (a.text.toLowerCase() === 'sqlc' && dot?.text === '.' && open?.text === '(' && isName(name) && close?.text === ')') {
      const kind = fn.text.toLowerCase();
      if (kind === 'arg' || kind === 'narg' || kind === 'slice' || kind === 'embed') {
        edits.push({ start: char(a.start), end: char(close.end), text: kind === 'embed' ? `${name.text}.*` : `$${numberOf(name.text)}` });
        i += 5;
        continue;
      }
    }
    // `@name` right after an operator, a keyword, a comma or a parenthesis (where an operand starts).
    const before = tokens[i - 1];
    if (shorthand && a.text === '@' && isName(tokens[i + 1]) && tokens[i + 1].start === a.end && (!before || before.tokenName !== 'IDENT')) {
      edits.push({ start: char(a.start), end: char(tokens[i + 1].end), text: `$${numberOf(tokens[i + 1].text)}` });
      i += 1;
    }
  }
  return edits;
}
