// Expand the paths a user names into the SQL files to read, in the order they apply.
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { readSqlFile } from '../sql/encoding.js';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Folders never searched: dependencies, VCS data, and application queries (not schema). */
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'queries', 'dist']);

/**
 * Directories are searched recursively for `*.sql`; down migrations (`down.sql`, `*.down.sql`) are
 * left out, since applying them would undo the schema. Files sort by path with numbers compared
 * numerically, so `2_x.sql` runs before `10_x.sql` and timestamps sort as written.
 */
export function discoverSqlFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    if (statPath(path).isFile()) out.push(path);
    else out.push(...walk(path).sort((a, b) => naturalCompare(relative(path, a), relative(path, b))));
  }
  return out;
}

/** The text of a file the user named; a missing one is an input error (one line, exit 2). */
export function readInputFile(path: string): string {
  try {
    return readSqlFile(path);
  } catch {
    throw new InputError(`no such file: ${path}`);
  }
}

/** stat a path the user named; a missing one is an input error (one line, exit 2). */
export function statPath(path: string): Stats {
  try {
    return statSync(path);
  } catch {
    throw new InputError(`no such file or directory: ${path}`);
  }
}

/** Files below `dir` that `accept` (by file name), skipping the directories in `skip`. */
export function walkFiles(dir: string, accept: (name: string) => boolean, skip: ReadonlySet<string>): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(entry.name)) files.push(...walkFiles(full, accept, skip));
    } else if (accept(entry.name)) files.push(full);
  }
  return files;
}

function walk(dir: string): string[] {
  return walkFiles(dir, (name) => name.endsWith('.sql') && !isDownMigration(name), SKIPPED_DIRS);
}

function isDownMigration(name: string): boolean {
  return name === 'down.sql' || name.endsWith('.down.sql');
}

const collator = new Intl.Collator('en', { numeric: true });
function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b);
}
