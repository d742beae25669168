// goose: <version>_<name>.sql with `-- +goose Up` / `-- +goose Down` sections; StatementBegin/End
// bracket statements goose must not split (the real parser needs no help); each file runs in a
// transaction unless it says `-- +goose NO TRANSACTION`. .go migrations share the version sequence.
// Bookkeeping: goose_db_version.
import { join } from 'node:path';
import { byVersion, commentLines, entries, isSqlFile, migration, sections, someFileHas } from './files.js';
import type { Layout, Migration, MigrationSet } from './types.js';

const UP = /^--\s*\+goose\s+Up\b/;
const DOWN = /^--\s*\+goose\s+Down\b/;
const NO_TRANSACTION = /^--\s*\+goose\s+NO\s+TRANSACTION\b/i;

export const goose: Layout = {
  name: 'goose',
  tool: 'goose',
  bookkeeping: `CREATE TABLE IF NOT EXISTS goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());`,
  detect(dir) {
    return someFileHas(dir, entries(dir).files, UP, '+goose');
  },
  read(dir): MigrationSet {
    const set: MigrationSet = { dir, layout: 'goose', tool: this.tool, migrations: [], skipped: [], setup: [] };
    const files = entries(dir).files.filter((f) => /^\d+_.*\.(sql|go)$/i.test(f));
    // goose orders by the version number before the first `_`.
    for (const f of files.sort(byVersion((name) => name.slice(0, name.indexOf('_'))))) {
      const file = join(dir, f);
      if (!isSqlFile(f)) {
        set.skipped.push({ file, reason: 'a Go migration: its schema changes are not applied, so later SQL may miss them', code: true });
        continue;
      }
      const m = migration(file, 'goose', 'transaction');
      const marked = sections(m.text, UP, DOWN);
      if (!marked) {
        set.skipped.push({ file, reason: 'no -- +goose Up annotation: goose refuses it' });
        continue;
      }
      const noTransaction = commentLines(m.text).find((c) => NO_TRANSACTION.test(c.text));
      const read: Migration = { ...m, up: marked.up, ...(marked.down ? { down: { file, text: m.text, ...marked.down } } : {}) };
      set.migrations.push(noTransaction ? { ...read, noTransaction: noTransaction.text } : read);
    }
    set.skipped.push(...entries(dir).files.filter((f) => isSqlFile(f) && !/^\d+_/.test(f)).map((f) => ({ file: join(dir, f), reason: 'not <version>_<name>.sql: goose does not run it' })));
    return set;
  },
};
