// Identifier quoting for generated DDL (fixes), with PostgreSQL's quote_ident semantics: quote unless
// the name is a plain lower-case identifier that is not a reserved keyword. The keyword test asks the
// real scanner, so it follows the parser's keyword list exactly.
import { scanSync } from './pg-parser.js';

const PLAIN = /^[a-z_][a-z0-9_$]*$/;

/** Requires the parser module to be loaded (loadParser). */
export function quoteIdent(name: string): string {
  if (PLAIN.test(name) && !isKeywordNeedingQuotes(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal for generated SQL (standard_conforming_strings, on by default since PG 9.1). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `schema.name`, each part quoted only when needed. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

// Fixes quote the same few names over and over: ask the scanner once per name.
const keywordNeedsQuotes = new Map<string, boolean>();

function isKeywordNeedingQuotes(name: string): boolean {
  let quote = keywordNeedsQuotes.get(name);
  if (quote === undefined) {
    const token = scanSync(name).tokens[0];
    // Unreserved keywords are valid column and table names; everything else must be quoted.
    quote = token !== undefined && token.keywordKind !== 0 && token.keywordName !== 'UNRESERVED_KEYWORD';
    if (keywordNeedsQuotes.size >= 10_000) keywordNeedsQuotes.clear();
    keywordNeedsQuotes.set(name, quote);
  }
  return quote;
}

/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1); generated names must fit. */
export function truncateIdentifier(name: string): string {
  // Cut at a character boundary (as PostgreSQL does): never half a surrogate pair or a UTF-8 sequence.
  let out = '';
  let bytes = 0;
  for (const ch of name) {
    bytes += Buffer.byteLength(ch);
    if (bytes > 63) break;
    out += ch;
  }
  return out;
}

/** The strings of a parse-tree name list (qualified names, type names): `[{String:{sval}}…]` → `['public', 'orders']`. */
export function nameParts(list: Array<{ String?: { sval?: string } }> | undefined): string[] {
  return (list ?? []).map((n) => n.String?.sval).filter((s): s is string => Boolean(s));
}
