// Prisma Migrate: <timestamp>_<name>/migration.sql, with migration_lock.toml beside them. Prisma sends
// each migration.sql to PostgreSQL as one query string: one implicit transaction when it holds more
// than one statement. Bookkeeping: _prisma_migrations.
import { join } from 'node:path';
import { entries, migration, isFile } from './files.js';
import type { Layout, MigrationSet } from './types.js';

export const prisma: Layout = {
  name: 'prisma',
  tool: 'Prisma Migrate',
  bookkeeping: `CREATE TABLE IF NOT EXISTS _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);`,
  detect(dir) {
    const { files, dirs } = entries(dir);
    const steps = dirs.filter((d) => isFile(join(dir, d, 'migration.sql')));
    if (!steps.length) return false;
    // drizzle's folder layout has the same shape, with a snapshot.json in each folder.
    if (steps.some((d) => isFile(join(dir, d, 'snapshot.json')))) return false;
    return files.includes('migration_lock.toml') || steps.every((d) => /^\d{14}_/.test(d));
  },
  read(dir): MigrationSet {
    const { dirs } = entries(dir);
    const migrations = dirs.filter((d) => isFile(join(dir, d, 'migration.sql'))).map((d) => migration(join(dir, d, 'migration.sql'), 'prisma', 'implicit', d));
    return { dir, layout: 'prisma', tool: this.tool, migrations, skipped: [], setup: [] };
  },
};
