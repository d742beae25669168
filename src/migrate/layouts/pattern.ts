// --pattern GLOB: the files below a folder whose relative path matches, in natural order, for layouts
// no reader knows (`*` within a path segment, `**` across segments, `?` one character).
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { collator, migration, NEVER_SEARCHED } from './files.js';
import type { MigrationSet } from './types.js';

export function readPattern(dir: string, pattern: string): MigrationSet {
  const re = globToRegExp(pattern);
  const files = listFiles(dir)
    .filter((f) => re.test(relative(dir, f).split('\\').join('/')))
    .sort((a, b) => collator.compare(relative(dir, a), relative(dir, b)));
  return { dir, layout: 'pattern', tool: `files matching ${pattern}`, migrations: files.map((f) => migration(f, 'pattern', 'none')), skipped: [], setup: [] };
}

function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!NEVER_SEARCHED.has(e.name)) files.push(...listFiles(full));
    } else files.push(full);
  }
  return files;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
