// graphile-migrate: migrations/committed/000001.sql … with `--! Previous:` / `--! Hash:` headers, then
// the migration under development in current.sql (or current/*.sql); each in a transaction unless
// its first line after the headers is `--! no-transaction`. The SQL files that .gmrc's afterReset runs
// (roles, extensions, the initial schema) build the environment. Bookkeeping: graphile_migrate.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import JSON5 from 'json5';
import { InputError } from '../../lint/files.js';
import { entries, isSqlFile, migration } from './files.js';
import type { Layout, Migration, MigrationSet } from './types.js';

const COMMITTED = /^(\d+)(-[-_a-zA-Z0-9]*)?\.sql$/;

export const graphileMigrate: Layout = {
  name: 'graphile-migrate',
  tool: 'graphile-migrate',
  bookkeeping: `CREATE SCHEMA IF NOT EXISTS graphile_migrate;\nCREATE TABLE IF NOT EXISTS graphile_migrate.migrations (hash text PRIMARY KEY, previous_hash text REFERENCES graphile_migrate.migrations, filename text NOT NULL, date timestamptz NOT NULL DEFAULT now());\nCREATE TABLE IF NOT EXISTS graphile_migrate.current (filename text PRIMARY KEY DEFAULT 'current.sql', content text NOT NULL, date timestamptz NOT NULL DEFAULT now());`,
  detect(dir) {
    const committed = join(dir, 'committed');
    if (!existsSync(committed)) return false;
    const files = entries(committed).files.filter((f) => COMMITTED.test(f));
    return files.length > 0 && (existsSync(join(dir, '.gmrc')) || existsSync(join(dirname(dir), '.gmrc')) || readFileSync(join(committed, files[0]), 'utf8').startsWith('--! Previous:'));
  },
  read(dir): MigrationSet {
    const committed = join(dir, 'committed');
    const migrations = entries(committed)
      .files.filter((f) => COMMITTED.test(f))
      .sort((a, b) => Number(COMMITTED.exec(a)![1]) - Number(COMMITTED.exec(b)![1]))
      .map((f) => withDirective(migration(join(committed, f), 'graphile-migrate', 'transaction')));
    // The migration being written: run after the committed ones, as `graphile-migrate watch` does.
    if (existsSync(join(dir, 'current.sql'))) migrations.push(withDirective(migration(join(dir, 'current.sql'), 'graphile-migrate', 'transaction')));
    else if (existsSync(join(dir, 'current'))) {
      for (const f of entries(join(dir, 'current')).files.filter(isSqlFile)) migrations.push(migration(join(dir, 'current', f), 'graphile-migrate', 'transaction', `current/${f.replace(/\.sql$/i, '')}`));
    }
    const setup = afterReset(dir);
    const skipped = entries(dir)
      .files.filter((f) => isSqlFile(f) && f !== 'current.sql' && !setup.includes(join(dir, f)))
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

/** The SQL files .gmrc's afterReset actions run, relative to the migrations folder. */
function afterReset(dir: string): string[] {
  const gmrc = [join(dir, '.gmrc'), join(dirname(dir), '.gmrc')].find((f) => existsSync(f));
  if (!gmrc) return [];
  let config: { afterReset?: Array<string | { _?: string; file?: string }> };
  try {
    config = JSON5.parse(readFileSync(gmrc, 'utf8'));
  } catch (error) {
    throw new InputError(`${gmrc}: ${(error as Error).message}`);
  }
  return (config.afterReset ?? [])
    .map((a) => (typeof a === 'string' ? a : a._ === 'sql' ? a.file : undefined))
    .filter((f): f is string => Boolean(f))
    // A leading ! runs the file as the superuser: the same file.
    .map((f) => join(dir, f.replace(/^!/, '')));
}
