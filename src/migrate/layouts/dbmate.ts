// dbmate: <version>_<name>.sql with `-- migrate:up` / `-- migrate:down` sections; each up section runs
// in a transaction unless its marker says `transaction:false`. Bookkeeping: schema_migrations.
import { join } from 'node:path';
import { entries, isSqlFile, migration, sections, someFileHas } from './files.js';
import type { Layout, Migration, MigrationSet } from './types.js';

export const UP = /^--\s*migrate:up(\s|$)/;
export const DOWN = /^--\s*migrate:down(\s|$)/;

export const dbmate: Layout = {
  name: 'dbmate',
  tool: 'dbmate',
  bookkeeping: `CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY);`,
  detect(dir) {
    return someFileHas(dir, entries(dir).files, UP, 'migrate:up');
  },
  read(dir): MigrationSet {
    const set: MigrationSet = { dir, layout: 'dbmate', tool: this.tool, migrations: [], skipped: [], setup: [] };
    for (const f of entries(dir).files.filter(isSqlFile)) {
      const file = join(dir, f);
      if (!/^\d/.test(f)) {
        set.skipped.push({ file, reason: 'not <version>_<name>.sql: dbmate does not run it' });
        continue;
      }
      const m = dbmateMigration(migration(file, 'dbmate', 'transaction'));
      if (m) set.migrations.push(m);
      else set.skipped.push({ file, reason: 'no -- migrate:up section: dbmate refuses it' });
    }
    return set;
  },
};

/** The up and down sections of a dbmate file, or undefined without a `-- migrate:up` marker. */
export function dbmateMigration(m: Migration): Migration | undefined {
  // Most files have no marker: no need to lex them for one.
  if (!m.text.includes('migrate:up')) return undefined;
  const marked = sections(m.text, UP, DOWN);
  if (!marked) return undefined;
  const read: Migration = { ...m, up: marked.up, ...(marked.down ? { down: { file: m.file, text: m.text, ...marked.down } } : {}) };
  return /\btransaction:false\b/.test(marked.upMarker) ? { ...read, noTransaction: marked.upMarker } : read;
}
