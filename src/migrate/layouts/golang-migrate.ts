// golang-migrate (and sqlx's reversible files): <version>_<title>.up.sql with .down.sql beside it. The
// postgres driver sends the whole file as one query string: one implicit transaction when it holds
// more than one statement (the README's advice: CONCURRENTLY alone in its file). Bookkeeping:
// schema_migrations(version, dirty).
import { join } from 'node:path';
import { byVersion, entries, isSqlFile, migration, withDownFile } from './files.js';
import type { Layout, MigrationSet } from './types.js';

const UP = /^(\d+)_(.*)\.up\.sql$/i;

export const golangMigrate: Layout = {
  name: 'golang-migrate',
  tool: 'golang-migrate',
  bookkeeping: `CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);`,
  detect(dir) {
    return entries(dir).files.some((f) => UP.test(f));
  },
  read(dir): MigrationSet {
    const { files } = entries(dir);
    const ups = files.filter((f) => UP.test(f)).sort(byVersion((name) => UP.exec(name)?.[1]));
    const migrations = ups.map((f) => withDownFile(migration(join(dir, f), 'golang-migrate', 'implicit', f.slice(0, -'.up.sql'.length)), join(dir, f.replace(/\.up\.sql$/i, '.down.sql'))));
    const skipped = files
      .filter((f) => isSqlFile(f) && !UP.test(f) && !/\.down\.sql$/i.test(f))
      .map((f) => ({ file: join(dir, f), reason: 'not <version>_<title>.up.sql: golang-migrate does not run it' }));
    return { dir, layout: 'golang-migrate', tool: this.tool, migrations, skipped, setup: [] };
  },
};
