// What every layout reader needs: listing a folder, reading files, natural order, and the directive
// comments a tool writes (found by the lexer, so a `--` inside a string or a function body is not one).
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { lexScript } from '../../sql/lexer.js';
import type { LayoutName, Migration, TransactionMode } from './types.js';
import { readSqlFile } from '../../sql/encoding.js';

export const collator = new Intl.Collator('en', { numeric: true });

/** Directories a search never enters: dependencies, VCS data, build output. */
export const NEVER_SEARCHED = new Set(['node_modules', '.git', 'dist', 'build', 'target', 'vendor', '.venv', '__pycache__']);

export function entries(dir: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) dirs.push(e.name);
    else if (e.isFile() || (e.isSymbolicLink() && isFile(join(dir, e.name)))) files.push(e.name);
  }
  return { files: files.sort(collator.compare), dirs: dirs.sort(collator.compare) };
}

/** Whether a path is a regular file (a folder named up.sql is not a migration). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether a path is a folder (a file named committed is not graphile-migrate's folder). */
export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export const readText = (file: string): string => readSqlFile(file);

/**
 * Order by a version number read from each name (BigInt: 14-digit timestamps and longer overflow
 * nothing), then by name; names without a number sort by name.
 */
export function byVersion(version: (name: string) => string | undefined): (a: string, b: string) => number {
  return (a, b) => {
    const [va, vb] = [version(a), version(b)];
    if (va && vb && /^\d+$/.test(va) && /^\d+$/.test(vb) && BigInt(va) !== BigInt(vb)) return BigInt(va) < BigInt(vb) ? -1 : 1;
    return a.localeCompare(b);
  };
}

export const isSqlFile = (name: string): boolean => name.toLowerCase().endsWith('.sql');

/** The line comments of a script (quote-aware), trimmed. */
export function commentLines(text: string): Array<{ start: number; end: number; text: string }> {
  return lexScript(text, () => false).comments.map((c) => ({ start: c.start, end: c.end, text: c.text.trim() }));
}

/**
 * Up and down sections marked by directive comments (dbmate's `-- migrate:up`, goose's `-- +goose Up`):
 * the up step runs from the end of its marker line to the down marker (or the end of the file).
 */
export function sections(text: string, up: RegExp, down: RegExp): { up: { start: number; end: number }; down?: { start: number; end: number }; upMarker: string } | undefined {
  const comments = commentLines(text);
  const upAt = comments.find((c) => up.test(c.text));
  if (!upAt) return undefined;
  const downAt = comments.find((c) => c.start > upAt.start && down.test(c.text));
  return {
    up: { start: upAt.end, end: downAt ? downAt.start : text.length },
    down: downAt ? { start: downAt.end, end: text.length } : undefined,
    upMarker: upAt.text,
  };
}

export function migration(file: string, layout: LayoutName, transaction: TransactionMode, id = basename(file).replace(/\.sql$/i, ''), text = readText(file)): Migration {
  return { id, file, text, up: { start: 0, end: text.length }, layout, transaction };
}

export function withDownFile(m: Migration, downFile: string): Migration {
  if (!isFile(downFile)) return m;
  const text = readText(downFile);
  return { ...m, down: { file: downFile, text, start: 0, end: text.length } };
}

// A tool's directive opens its file (goose's -- +goose Up, dbmate's -- migrate:up): detection reads the head only.
const HEAD_BYTES = 64 * 1024;

/**
 * Whether any of the first few SQL files has a line comment matching `marker` near its top. Files
 * without `hint` there are not lexed (a large migration is not read whole once per layout).
 */
export function someFileHas(dir: string, files: string[], marker: RegExp, hint: string, limit = 5): boolean {
  return files
    .filter(isSqlFile)
    .slice(0, limit)
    .some((f) => {
      const text = head(join(dir, f));
      return text.includes(hint) && commentLines(text).some((c) => marker.test(c.text));
    });
}

function head(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
