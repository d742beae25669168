// drizzle-kit: NNNN_<name>.sql files run in the order of meta/_journal.json (files not in the journal
// are never run), statements separated by `--> statement-breakpoint`; drizzle's migrate() runs all
// pending migrations in one transaction. Newer drizzle-kit writes <timestamp>_<name>/migration.sql
// folders with a snapshot.json and no journal. Bookkeeping: drizzle.__drizzle_migrations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lint/files.js';
import { entries, isSqlFile, migration, isFile } from './files.js';
import type { Layout, MigrationSet, SkippedFile } from './types.js';

const JOURNAL = join('meta', '_journal.json');

export const drizzle: Layout = {
  name: 'drizzle',
  tool: 'drizzle-kit',
  bookkeeping: `CREATE SCHEMA IF NOT EXISTS drizzle;\nCREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint);`,
  detect(dir) {
    if (isFile(join(dir, JOURNAL))) return true;
    const { dirs } = entries(dir);
    return dirs.some((d) => isFile(join(dir, d, 'migration.sql')) && isFile(join(dir, d, 'snapshot.json')));
  },
  read(dir): MigrationSet {
    const set: MigrationSet = { dir, layout: 'drizzle', tool: this.tool, migrations: [], skipped: [], setup: [] };
    if (!isFile(join(dir, JOURNAL))) {
      for (const d of entries(dir).dirs) {
        if (isFile(join(dir, d, 'migration.sql'))) set.migrations.push(migration(join(dir, d, 'migration.sql'), 'drizzle', 'transaction', d));
      }
      return set;
    }
    const tags = journalTags(join(dir, JOURNAL));
    const listed = new Set(tags.map((t) => `${t}.sql`));
    for (const tag of tags) {
      const file = join(dir, `${tag}.sql`);
      if (isFile(file)) set.migrations.push(migration(file, 'drizzle', 'transaction', tag));
      else set.skipped.push({ file, reason: 'listed in meta/_journal.json, but the file is missing' });
    }
    const unlisted: SkippedFile[] = entries(dir)
      .files.filter((f) => isSqlFile(f) && !listed.has(f))
      .map((f) => ({ file: join(dir, f), reason: 'not in meta/_journal.json: drizzle never runs it' }));
    set.skipped.push(...unlisted);
    return set;
  },
};

/** The journal's tags in the order drizzle applies them (by idx). */
function journalTags(file: string): string[] {
  let journal: { entries?: Array<{ idx?: number; tag?: string }> };
  try {
    journal = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`${file}: not a drizzle journal (${(error as Error).message})`);
  }
  return (journal.entries ?? [])
    .filter((e) => typeof e.tag === 'string')
    .sort((a, b) => (a.idx ?? 0) - (b.idx ?? 0))
    .map((e) => e.tag!);
}
