// Small, token-exact edits of a statement's text for fixes, using the real scanner (never regexes).
import { scanSync } from 'libpg-query';

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
