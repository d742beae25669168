// diesel: <date>_<name>/up.sql + down.sql (00000000000000_diesel_initial_setup first), each in a
// transaction unless its metadata.toml says run_in_transaction = false. Versions are the text before
// the first `_` without dashes. Bookkeeping: __diesel_schema_migrations.
import { join } from 'node:path';
import { byVersion, entries, migration, readText, withDownFile, isFile } from './files.js';
import type { Layout, Migration, MigrationSet } from './types.js';

export const diesel: Layout = {
  name: 'diesel',
  tool: 'diesel',
  bookkeeping: `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);`,
  detect(dir) {
    return entries(dir).dirs.some((d) => isFile(join(dir, d, 'up.sql')));
  },
  read(dir): MigrationSet {
    const steps = entries(dir).dirs.filter((d) => isFile(join(dir, d, 'up.sql')));
    // Diesel's version: the name before the first `_`, dashes removed.
    const migrations = steps.sort(byVersion((d) => (d.includes('_') ? d.slice(0, d.indexOf('_')) : d).replace(/-/g, ''))).map((d) => withMetadata(withDownFile(migration(join(dir, d, 'up.sql'), 'diesel', 'transaction', d), join(dir, d, 'down.sql')), join(dir, d, 'metadata.toml')));
    return { dir, layout: 'diesel', tool: this.tool, migrations, skipped: [], setup: [] };
  },
};


function withMetadata(m: Migration, file: string): Migration {
  if (!isFile(file)) return m;
  const line = readText(file)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^run_in_transaction\s*=\s*false\b/.test(l));
  return line ? { ...m, noTransaction: `metadata.toml: ${line}` } : m;
}
