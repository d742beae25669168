// Flyway: V<version>__<description>.sql (the description may be missing: V6.1.0.6.sql), versions
// compared part by part (1.10 after 1.9, dots or underscores), R__<description>.sql repeatables after
// every versioned one (by description), U<version>__….sql undo scripts, and callbacks such as
// afterMigrate__*.sql. Locations are scanned recursively; several locations merge in version order.
// Each migration runs in a transaction, unless Flyway finds a statement that cannot (CONCURRENTLY,
// VACUUM, ALTER TYPE … ADD VALUE …: decided from the parse tree, see transaction.ts) or its
// <script>.sql.conf says executeInTransaction=false. Bookkeeping: flyway_schema_history.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { collator, isSqlFile, migration, NEVER_SEARCHED, readText, isDir, isFile } from './files.js';
import type { Layout, Migration, MigrationSet, SkippedFile } from './types.js';

const VERSIONED = /^V(\d+(?:[._]\d+)*)(?:__.*)?\.sql$/i;
const UNDO = /^U(\d+(?:[._]\d+)*)(?:__.*)?\.sql$/i;
const REPEATABLE = /^R__(.*)\.sql$/i;
// Callbacks run at events, not as migrations: before/after the whole migrate run are applied around it.
const BEFORE = /^beforeMigrate(__.*)?\.sql$/i;
const AFTER = /^afterMigrate(__.*)?\.sql$/i;
const CALLBACK = /^(before|after)[A-Z][A-Za-z]*(__.*)?\.sql$/;

export const flyway: Layout = {
  name: 'flyway',
  tool: 'Flyway',
  bookkeeping: `CREATE TABLE IF NOT EXISTS flyway_schema_history (installed_rank integer PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL);`,
  /** Versioned scripts in the folder or its immediate subfolders (version folders such as 2.31/). */
  detect(dir) {
    return sqlFiles(dir, 1).some((f) => VERSIONED.test(basename(f)));
  },
  read(dir): MigrationSet {
    return readFlyway([dir]);
  },
};

/** One history from several locations, merged in Flyway's order. */
export function readFlyway(locations: string[]): MigrationSet {
  const versioned: Array<{ version: number[]; m: Migration }> = [];
  const repeatable: Array<{ description: string; m: Migration }> = [];
  const undo = new Map<string, string>();
  const before: Migration[] = [];
  const after: Migration[] = [];
  const skipped: SkippedFile[] = [];
  for (const dir of locations) {
    for (const file of sqlFiles(dir, 10)) {
      const name = basename(file);
      const id = name.replace(/\.sql$/i, '');
      let match: RegExpExecArray | null;
      if ((match = VERSIONED.exec(name))) versioned.push({ version: versionParts(match[1]), m: withConf(migration(file, 'flyway', 'transaction', id)) });
      else if ((match = REPEATABLE.exec(name))) repeatable.push({ description: match[1], m: withConf(migration(file, 'flyway', 'transaction', id)) });
      else if ((match = UNDO.exec(name))) undo.set(versionParts(match[1]).join('.'), file);
      else if (BEFORE.test(name)) before.push(migration(file, 'flyway', 'transaction', id));
      else if (AFTER.test(name)) after.push(migration(file, 'flyway', 'transaction', id));
      else if (CALLBACK.test(name)) skipped.push({ file, reason: 'a Flyway callback that runs at other events than migrate' });
      else skipped.push({ file, reason: 'not a Flyway migration name (V<version>__<description>.sql, R__…, U…)' });
    }
  }
  for (const file of locations.flatMap(codeMigrations)) {
    skipped.push({ file, reason: 'a Java migration Flyway runs from the same classpath location: its schema changes are not applied, so later SQL may miss them', code: true });
  }
  versioned.sort((a, b) => compareVersions(a.version, b.version) || collator.compare(a.m.id, b.m.id));
  repeatable.sort((a, b) => collator.compare(a.description, b.description));
  const withUndo = versioned.map(({ version, m }) => {
    const down = undo.get(version.join('.'));
    if (!down) return m;
    const text = readText(down);
    return { ...m, down: { file: down, text, start: 0, end: text.length } };
  });
  return {
    dir: locations[0],
    layout: 'flyway',
    tool: locations.length > 1 ? `Flyway, locations ${locations.join(', ')} merged in version order` : 'Flyway',
    migrations: [...before, ...withUndo, ...repeatable.map((r) => r.m), ...after],
    skipped,
    setup: [],
  };
}

function versionParts(version: string): number[] {
  return version.split(/[._]/).map(Number);
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** <script>.sql.conf: executeInTransaction=false takes the script out of Flyway's transaction. */
function withConf(m: Migration): Migration {
  const conf = `${m.file}.conf`;
  if (!isFile(conf)) return m;
  const line = readText(conf)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^executeInTransaction\s*=\s*false$/i.test(l));
  return line ? { ...m, noTransaction: `${basename(conf)}: ${line}` } : m;
}

/** SQL files below `dir`, depth-first in name order (Flyway scans locations recursively). */
const CODE_MIGRATION = /^V\d+(?:[._]\d+)*__.*\.(java|kt)$/;

/**
 * Java (or Kotlin) migrations of the same classpath location: a Maven or Gradle module keeps the SQL
 * ones in src/main/resources/<package> and the code ones in src/main/java/<package>, and Flyway runs
 * both, in one version order.
 */
function codeMigrations(location: string): string[] {
  const at = location.replace(/\\/g, '/').lastIndexOf('/src/main/resources/');
  if (at < 0) return [];
  const pkg = location.slice(at + '/src/main/resources/'.length);
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => collator.compare(a.name, b.name))) {
      if (e.isDirectory() && depth > 0) visit(join(dir, e.name), depth - 1);
      else if (CODE_MIGRATION.test(e.name)) found.push(join(dir, e.name));
    }
  };
  for (const lang of ['java', 'kotlin']) {
    const dir = join(location.slice(0, at), 'src', 'main', lang, pkg);
    if (isDir(dir)) visit(dir, 10);
  }
  return found;
}

function sqlFiles(dir: string, depth: number): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => collator.compare(a.name, b.name))) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth > 0 && !NEVER_SEARCHED.has(e.name)) out.push(...sqlFiles(full, depth - 1));
    } else if (isSqlFile(e.name)) out.push(full);
  }
  return out;
}
