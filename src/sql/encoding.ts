// Input is read exactly, or refused clearly. PostgreSQL takes no NUL in SQL text and pgarch's parser
// would stop at one, dropping the rest of the file without a word; bytes that are not UTF-8 would
// silently become U+FFFD in object names. Each is an `input-encoding` error at its line and column.
import { existsSync, readFileSync } from 'node:fs';
import type { Finding, Location } from '../types.js';

/** The encoding SQL files are read in (`--encoding`): UTF-8 unless the user says otherwise. */
let inputEncoding = 'utf-8';

/**
 * Read SQL files in `name` from now on (any WHATWG encoding label: latin1, windows-1252, utf-16le…).
 * Throws a RangeError for a label no decoder knows.
 */
export function setInputEncoding(name: string): void {
  inputEncoding = new TextDecoder(name).encoding;
}

/** A SQL file's text, decoded in the input encoding (invalid UTF-8 is reported by checkEncoding). */
export function readSqlFile(path: string): string {
  if (inputEncoding === 'utf-8') return readFileSync(path, 'utf8');
  return new TextDecoder(inputEncoding).decode(readFileSync(path));
}

/** The first byte offset where `bytes` stops being valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= bytes.length + (need ? 0 : 1)) return i;
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    // Overlong three- and four-byte forms, surrogates and code points past U+10FFFF.
    if ((b === 0xe0 && bytes[i + 1] < 0xa0) || (b === 0xed && bytes[i + 1] >= 0xa0) || (b === 0xf0 && bytes[i + 1] < 0x90) || (b === 0xf4 && bytes[i + 1] >= 0x90)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Findings for NUL characters and (when the file's bytes can be read) invalid UTF-8, and the text the
 * parser should read: NULs become spaces, so offsets stay and the rest of the file is still checked.
 */
export function checkEncoding(text: string, file: string | undefined, bomStripped: boolean, position: (offset: number) => Location): { text: string; findings: Finding[] } {
  const findings: Finding[] = [];
  // A lossy UTF-8 read leaves U+FFFD where bytes were invalid: only then are the bytes read again.
  if (inputEncoding === 'utf-8' && file && text.includes('\uFFFD') && existsSync(file)) {
    const bytes = readFileSync(file);
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0) {
      const offset = new TextDecoder().decode(bytes.subarray(0, bad)).length - (bomStripped ? 1 : 0);
      findings.push({
        rule: 'input-encoding',
        severity: 'error',
        message: `Invalid UTF-8 (byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')}): the file is not UTF-8, and its names and strings would be read wrong`,
        location: position(Math.max(0, offset)),
        hint: 'Save the file as UTF-8 (iconv -f latin1 -t utf-8), or read it as what it is: --encoding latin1 (windows-1252, utf-16le, …).',
      });
    }
  }
  const nul = text.indexOf('\0');
  if (nul < 0) return { text, findings };
  const count = text.split('\0').length - 1;
  findings.push({
    rule: 'input-encoding',
    severity: 'error',
    message: `NUL byte${count > 1 ? ` (${count} in the file)` : ''}: PostgreSQL refuses it in SQL text; pgarch read ${count > 1 ? 'each' : 'it'} as a space so that the rest of the file is still checked`,
    location: position(nul),
    hint: 'Remove the NUL bytes (tr -d \'\\000\'); a file saved as UTF-16 is full of them: save it as UTF-8.',
  });
  return { text: text.replaceAll('\0', ' '), findings };
}
