// Find the migrations in a directory, whatever tool wrote them, in the order they apply.
//   flat      0001_x.sql, 20240101120000_x.sql           (sorted by name, numbers numerically)
//   folders   0001_x/up.sql + down.sql                  (diesel, Lemmy, sqlx-style)
//   paired    0001_x.up.sql + 0001_x.down.sql           (golang-migrate)
//   dbmate    one file with `-- migrate:up` / `-- migrate:down` sections
//   prisma    migrations/<timestamp>_x/migration.sql
//   flyway    V1__x.sql, V1.1__y.sql (versions compared part by part); R__x.sql repeatables last
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { statPath } from '../lint/files.js';

export interface Migration {
  /** Sort key as written: the file or folder name, e.g. `0003_add_orders`. */
  id: string;
  /** The file holding the up step. */
  file: string;
  /** Full text of that file (for dbmate files, including the down section). */
  text: string;
  /** Character range of the up step within `text` (the whole file unless sections are marked). */
  up: { start: number; end: number };
  /** The down step, when the layout has one. */
  down?: { file: string; text: string; start: number; end: number };
  layout: MigrationLayout;
}

export type MigrationLayout = 'flat' | 'folders' | 'paired' | 'dbmate' | 'prisma' | 'flyway' | 'file';

export interface DiscoverOptions {
  /** Only files whose path (relative to the directory) matches this glob, e.g. `**\/*.up.sql`. */
  pattern?: string;
}

const collator = new Intl.Collator('en', { numeric: true });

export function discoverMigrations(paths: string[], options: DiscoverOptions = {}): Migration[] {
  const out: Migration[] = [];
  for (const path of paths) {
    if (statPath(path).isFile()) out.push(fromFile(path, 'file'));
    else out.push(...fromDirectory(path, options));
  }
  return out;
}

function fromDirectory(dir: string, options: DiscoverOptions): Migration[] {
  if (options.pattern) {
    const re = globToRegExp(options.pattern);
    return listFiles(dir)
      .filter((f) => re.test(relative(dir, f).split('\\').join('/')))
      .sort((a, b) => collator.compare(relative(dir, a), relative(dir, b)))
      .map((f) => fromFile(f, 'flat'));
  }
  const entries = readdirSync(dir, { withFileTypes: true });
  const migrations: Migration[] = [];
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      // diesel/sqlx: <name>/up.sql (+ down.sql); prisma: <name>/migration.sql
      if (existsSync(join(full, 'up.sql'))) migrations.push(withDown(fromFile(join(full, 'up.sql'), 'folders', e.name), join(full, 'down.sql')));
      else if (existsSync(join(full, 'migration.sql'))) migrations.push(fromFile(join(full, 'migration.sql'), 'prisma', e.name));
      continue;
    }
    if (!e.name.endsWith('.sql') || e.name.endsWith('.down.sql') || e.name === 'down.sql') continue;
    if (e.name.endsWith('.up.sql')) {
      migrations.push(withDown(fromFile(full, 'paired', e.name.slice(0, -'.up.sql'.length)), full.slice(0, -'.up.sql'.length) + '.down.sql'));
    } else if (/^[VR]\d*(?:[._]\d+)*__/.test(e.name)) {
      migrations.push(fromFile(full, 'flyway', e.name.slice(0, -'.sql'.length)));
    } else {
      migrations.push(fromFile(full, 'flat', e.name.slice(0, -'.sql'.length)));
    }
  }
  return migrations.sort(compareMigrations);
}

function compareMigrations(a: Migration, b: Migration): number {
  if (a.layout === 'flyway' && b.layout === 'flyway') return compareFlyway(a.id, b.id);
  return collator.compare(a.id, b.id);
}

/** Flyway: versioned V<version>__ by version parts (1.10 after 1.9), repeatable R__ after all versioned. */
function compareFlyway(a: string, b: string): number {
  const version = (id: string) => (id.startsWith('R') ? [Infinity] : id.slice(1, id.indexOf('__')).split(/[._]/).map(Number));
  const va = version(a);
  const vb = version(b);
  for (let i = 0; i < Math.max(va.length, vb.length); i++) {
    const d = (va[i] ?? 0) - (vb[i] ?? 0);
    if (d !== 0) return d;
  }
  return collator.compare(a, b);
}

function fromFile(file: string, layout: MigrationLayout, id = basename(file, '.sql')): Migration {
  const text = readFileSync(file, 'utf8');
  const dbmate = dbmateSections(text);
  if (dbmate) {
    return {
      id,
      file,
      text,
      up: dbmate.up,
      down: dbmate.down ? { file, text, ...dbmate.down } : undefined,
      layout: layout === 'file' || layout === 'flat' ? 'dbmate' : layout,
    };
  }
  return { id, file, text, up: { start: 0, end: text.length }, layout };
}

function withDown(m: Migration, downFile: string): Migration {
  if (!existsSync(downFile)) return m;
  const text = readFileSync(downFile, 'utf8');
  return { ...m, down: { file: downFile, text, start: 0, end: text.length } };
}

/** dbmate marks sections with `-- migrate:up` and `-- migrate:down` comment lines. */
function dbmateSections(text: string): { up: { start: number; end: number }; down?: { start: number; end: number } } | undefined {
  const up = /^--\s*migrate:up\b.*$/m.exec(text);
  if (!up) return undefined;
  const down = /^--\s*migrate:down\b.*$/m.exec(text);
  const upStart = up.index + up[0].length;
  if (!down || down.index < upStart) return { up: { start: upStart, end: text.length } };
  return { up: { start: upStart, end: down.index }, down: { start: down.index + down[0].length, end: text.length } };
}

function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') files.push(...listFiles(full));
    } else files.push(full);
  }
  return files;
}

/** `*` within a path segment, `**` across segments, `?` one character. */
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
