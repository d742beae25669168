// graphile-migrate: migrations/committed/000001.sql … with `--! Previous:` / `--! Hash:` headers, then
// the migration under development in current.sql (or current/*.sql); each in a transaction unless
// its first line after the headers is `--! no-transaction`. The SQL files that .gmrc's afterReset runs
// (roles, extensions, the initial schema) build the environment. Bookkeeping: graphile_migrate.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import JSON5 from 'json5';
import { InputError } from '../../lint/files.js';
import { entries, isSqlFile, migration, readText, isDir, isFile } from './files.js';
import type { Layout, Migration, MigrationSet } from './types.js';

const COMMITTED = /^(\d+)(-[-_a-zA-Z0-9]*)?\.sql$/;

export const graphileMigrate: Layout = {
  name: 'graphile-migrate',
  tool: 'graphile-migrate',
  bookkeeping: `CREATE SCHEMA IF NOT EXISTS graphile_migrate;\nCREATE TABLE IF NOT EXISTS graphile_migrate.migrations (hash text PRIMARY KEY, previous_hash text REFERENCES graphile_migrate.migrations, filename text NOT NULL, date timestamptz NOT NULL DEFAULT now());\nCREATE TABLE IF NOT EXISTS graphile_migrate.current (filename text PRIMARY KEY DEFAULT 'current.sql', content text NOT NULL, date timestamptz NOT NULL DEFAULT now());`,
  detect(dir) {
    const committed = join(dir, 'committed');
    if (!isDir(committed)) return false;
    const files = entries(committed).files.filter((f) => COMMITTED.test(f));
    return files.length > 0 && (isFile(join(dir, '.gmrc')) || isFile(join(dirname(dir), '.gmrc')) || readFileSync(join(committed, files[0]), 'utf8').startsWith('--! Previous:'));
  },
  read(dir): MigrationSet {
    const config = gmrc(dir);
    const placeholders = placeholderValues(config);
    const read = (file: string, id?: string) => withDirective(withPlaceholders(migration(file, 'graphile-migrate', 'transaction', id), placeholders));
    const committed = join(dir, 'committed');
    const migrations = entries(committed)
      .files.filter((f) => COMMITTED.test(f))
      .sort((a, b) => Number(COMMITTED.exec(a)![1]) - Number(COMMITTED.exec(b)![1]))
      .map((f) => read(join(committed, f)));
    // The migration being written: run after the committed ones, as `graphile-migrate watch` does.
    if (isFile(join(dir, 'current.sql'))) migrations.push(read(join(dir, 'current.sql')));
    else if (isDir(join(dir, 'current'))) {
      for (const f of entries(join(dir, 'current')).files.filter(isSqlFile)) migrations.push(read(join(dir, 'current', f), `current/${f.replace(/\.sql$/i, '')}`));
    }
    const setup = afterReset(dir, config).map((file) => ({ file, text: substitute(readText(file), placeholders) }));
    const skipped = entries(dir)
      .files.filter((f) => isSqlFile(f) && f !== 'current.sql' && !setup.some((s) => s.file === join(dir, f)))
      .map((f) => ({ file: join(dir, f), reason: 'not a committed migration (not in committed/, not current.sql, not run by afterReset)' }));
    return { dir, layout: 'graphile-migrate', tool: this.tool, migrations, skipped, setup };
  },
};

/** `--! no-transaction` as the first line after the `--! Previous/Hash/Message` headers. */
function withDirective(m: Migration): Migration {
  const first = m.text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l && !/^--!\s*(Previous|Hash|Message|AllowInvalidHash)\b/.test(l));
  return first && /^--!\s*no-transaction\b/.test(first) ? { ...m, noTransaction: first } : m;
}

interface Gmrc {
  afterReset?: Array<string | { _?: string; file?: string }>;
  placeholders?: Record<string, unknown>;
}

/** .gmrc (JSON5) beside the migrations folder or in it. */
function gmrc(dir: string): Gmrc {
  const file = [join(dir, '.gmrc'), join(dirname(dir), '.gmrc')].find((f) => isFile(f));
  if (!file) return {};
  try {
    return JSON5.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`${file}: ${(error as Error).message}`);
  }
}

/**
 * The placeholders graphile-migrate replaces in the SQL: the built-in :DATABASE_NAME and
 * :DATABASE_OWNER, and those of .gmrc ("!ENV" reads the environment variable of that name).
 * :DATABASE_OWNER becomes CURRENT_USER, which names the same role wherever a role goes.
 */
function placeholderValues(config: Gmrc): Map<string, string> {
  const values = new Map<string, string>([
    [':DATABASE_NAME', 'postgres'],
    [':DATABASE_OWNER', 'CURRENT_USER'],
  ]);
  for (const [name, value] of Object.entries(config.placeholders ?? {})) {
    const text = value === '!ENV' ? process.env[name.replace(/^:/, '')] : typeof value === 'string' ? value : undefined;
    if (text !== undefined) values.set(name.startsWith(':') ? name : `:${name}`, text);
  }
  return values;
}

/** Known placeholders replaced (padded to their own length, so columns after them stay where they were). */
function substitute(text: string, values: Map<string, string>): string {
  return text.replace(/(?<![:\w]):[A-Z][A-Z0-9_]*\b/g, (name) => {
    const value = values.get(name);
    return value === undefined ? name : value.padEnd(name.length);
  });
}

function withPlaceholders(m: Migration, values: Map<string, string>): Migration {
  const text = substitute(m.text, values);
  return text === m.text ? m : { ...m, text, up: { start: 0, end: text.length } };
}

/** The SQL files .gmrc's afterReset actions run, relative to the migrations folder. */
function afterReset(dir: string, config: Gmrc): string[] {
  return (config.afterReset ?? [])
    .map((a) => (typeof a === 'string' ? a : a._ === 'sql' ? a.file : undefined))
    .filter((f): f is string => Boolean(f))
    // A leading ! runs the file as the superuser: the same file.
    .map((f) => join(dir, f.replace(/^!/, '')));
}
