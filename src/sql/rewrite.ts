// Small, token-exact edits of a statement's text for fixes, using the real scanner (never regexes).
import { scanSync } from './pg-parser.js';

/** Insert `insertion` after the first occurrence of the keyword sequence (e.g. ['INDEX']). Requires loadParser(). */
export function insertAfterKeywords(sql: string, keywords: string[], insertion: string): string | undefined {
  const tokens = scanSync(sql).tokens;
  const bytes = Buffer.from(sql);
  for (let i = 0; i + keywords.length <= tokens.length; i++) {
    if (keywords.every((k, j) => tokens[i + j].text.toUpperCase() === k.toUpperCase() && tokens[i + j].keywordKind !== 0)) {
      const end = tokens[i + keywords.length - 1].end; // byte offset
      return `${bytes.subarray(0, end).toString()} ${insertion}${bytes.subarray(end).toString()}`;
    }
  }
  return undefined;
}

/**
 * The text of a top-level clause: from `keyword` up to the first of `until` (or the end), outside
 * parentheses. E.g. clauseText('UPDATE t SET a = 1 WHERE b', 'SET', ['WHERE']) → 'a = 1'.
 */
export function clauseText(sql: string, keyword: string, until: string[]): string | undefined {
  const tokens = scanSync(sql).tokens;
  const bytes = Buffer.from(sql);
  let depth = 0;
  let start: number | undefined;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth !== 0 || t.keywordKind === 0) continue;
    const word = t.text.toUpperCase();
    if (start === undefined && word === keyword.toUpperCase()) start = t.end;
    else if (start !== undefined && until.some((u) => u.toUpperCase() === word)) return bytes.subarray(start, t.start).toString().trim();
  }
  return start === undefined ? undefined : bytes.subarray(start).toString().replace(/;\s*$/, '').trim();
}
