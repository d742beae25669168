// Supabase CLI: supabase/migrations/<timestamp>_<name>.sql beside supabase/config.toml; each file's
// statements go to PostgreSQL as one batch, which is implicitly one transaction (a begin … end in the
// file makes it a block of its own). Files not named <timestamp>_name.sql
// are skipped by the CLI. seed.sql and tests/ (pgTAP) are not migrations. Bookkeeping:
// supabase_migrations.schema_migrations.
import { basename, dirname, join } from 'node:path';
import { byVersion, entries, isSqlFile, migration, isFile } from './files.js';
import type { Layout, MigrationSet } from './types.js';

const NAME = /^(\d+)_(.*)\.sql$/;

export const supabase: Layout = {
  name: 'supabase',
  tool: 'Supabase CLI',
  bookkeeping: `CREATE SCHEMA IF NOT EXISTS supabase_migrations;\nCREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text);`,
  detect(dir) {
    return basename(dir) === 'migrations' && isFile(join(dirname(dir), 'config.toml')) && entries(dir).files.some((f) => NAME.test(f));
  },
  read(dir): MigrationSet {
    const { files } = entries(dir);
    const migrations = files
      .filter((f) => NAME.test(f))
      .sort(byVersion((name) => NAME.exec(name)?.[1]))
      .map((f) => migration(join(dir, f), 'supabase', 'implicit'));
    const skipped = files.filter((f) => isSqlFile(f) && !NAME.test(f)).map((f) => ({ file: join(dir, f), reason: 'not <timestamp>_name.sql: the Supabase CLI skips it' }));
    return { dir, layout: 'supabase', tool: this.tool, migrations, skipped, setup: [] };
  },
};
