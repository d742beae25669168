// Plain SQL files applied in name order (numbers compared numerically: 2_x before 10_x), as a
// hand-rolled runner or psql loop does; the tool is unknown, so no transaction is assumed (say
// --assume-in-transaction when the runner wraps each file). `.down.sql` files are down steps.
import { join } from 'node:path';
import { dbmateMigration } from './dbmate.js';
import { entries, isSqlFile, migration, withDownFile } from './files.js';
import type { Layout, MigrationSet } from './types.js';

const DOWN = /(^|[._-])down\.sql$/i;

export const numbered: Layout = {
  name: 'numbered',
  tool: 'plain SQL files',
  /** By shape: at least two SQL files whose names start with a number or timestamp. */
  detect(dir) {
    return entries(dir).files.filter((f) => isSqlFile(f) && /^\d/.test(f) && !DOWN.test(f)).length >= 2;
  },
  read(dir): MigrationSet {
    const migrations = entries(dir)
      .files.filter((f) => isSqlFile(f) && !DOWN.test(f))
      .map((f) => {
        const m = withDownFile(migration(join(dir, f), 'numbered', 'none'), join(dir, f.replace(/\.sql$/i, '.down.sql')));
        // A dbmate-style file in a plain folder still has sections.
        return dbmateMigration(m) ?? m;
      });
    return { dir, layout: 'numbered', tool: this.tool, migrations, skipped: [], setup: [] };
  },
};
