// Migration layouts, found by shape: every common tool's folder, and the order and transactions with
// which that tool runs its migrations.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, statPath } from '../../lint/files.js';
import { dbmate, dbmateMigration } from './dbmate.js';
import { diesel } from './diesel.js';
import { drizzle } from './drizzle.js';
import { entries, isSqlFile, migration, NEVER_SEARCHED } from './files.js';
import { flyway, readFlyway } from './flyway.js';
import { golangMigrate } from './golang-migrate.js';
import { goose } from './goose.js';
import { graphileMigrate } from './graphile.js';
import { numbered } from './numbered.js';
import { readPattern } from './pattern.js';
import { prisma } from './prisma.js';
import { sqitch } from './sqitch.js';
import { supabase } from './supabase.js';
import type { InputSet } from '../../types.js';
import type { Layout, LayoutName, Migration, MigrationSet } from './types.js';

export type { Layout, LayoutName, Migration, MigrationSet, SetupFile, SkippedFile, TransactionMode } from './types.js';
export { runnerTransaction } from './transaction.js';

/** Most specific first: a plan or journal file decides before file names do. */
export const LAYOUTS: Layout[] = [sqitch, drizzle, graphileMigrate, supabase, prisma, diesel, goose, dbmate, golangMigrate, flyway, numbered];

export const LAYOUT_NAMES = LAYOUTS.map((l) => l.name);

export interface FindOptions {
  /** Read the paths as this layout instead of detecting one. */
  layout?: LayoutName;
  /** Files matching this glob, relative to each directory, for layouts no reader knows. */
  pattern?: string;
  /** A folder named explicitly whose shape no layout knows is still read as plain SQL files (default true). */
  plainFolder?: boolean;
}

// Folders of tests, fixtures and seeds hold SQL that is not migrations (pgTAP tests, seed data).
const NOT_MIGRATIONS = /^(tests?|spec|__tests__|testdata|fixtures|seeds?)$/i;
const MAX_DEPTH = 8;

/**
 * The migration sets the paths lead to. A directory that holds a layout is read as it; otherwise its
 * subdirectories are searched (not dependencies, build output, tests or seeds). A file is read as part
 * of its folder's layout, alone.
 */
export function findMigrationSets(paths: string[], options: FindOptions = {}): MigrationSet[] {
  const sets: MigrationSet[] = [];
  for (const path of paths) {
    if (statPath(path).isFile()) {
      sets.push(singleFile(path, options));
      continue;
    }
    if (options.pattern) {
      sets.push(readPattern(path, options.pattern));
      continue;
    }
    if (options.layout) {
      sets.push(read(layoutByName(options.layout), path));
      continue;
    }
    const found = search(path, 0);
    // A folder of SQL files named explicitly is a history even when no tool's shape is recognised.
    if (!found.length && options.plainFolder !== false && entries(path).files.some(isSqlFile)) found.push(read(numbered, path));
    sets.push(...found);
  }
  return mergeFlywayLocations(sets, paths.length);
}

/** The migrations of the sets, as one history (what `discoverMigrations` always returned). */
export function discoverMigrations(paths: string[], options: FindOptions = {}): Migration[] {
  return findMigrationSets(paths, options).flatMap((s) => s.migrations);
}

export function layoutByName(name: LayoutName): Layout {
  const layout = LAYOUTS.find((l) => l.name === name);
  if (!layout) throw new InputError(`unknown layout ${name}: one of ${LAYOUT_NAMES.join(', ')}`);
  return layout;
}

/** A folder read as a layout, with that tool's bookkeeping tables. */
function read(layout: Layout, dir: string): MigrationSet {
  return { ...layout.read(dir), ...(layout.bookkeeping ? { bookkeeping: layout.bookkeeping } : {}) };
}

function search(dir: string, depth: number): MigrationSet[] {
  const layout = LAYOUTS.find((l) => l.detect(dir));
  if (layout) return [read(layout, dir)];
  if (depth >= MAX_DEPTH) return [];
  return entries(dir).dirs.filter((d) => !NEVER_SEARCHED.has(d) && !d.startsWith('.') && !NOT_MIGRATIONS.test(d)).flatMap((d) => search(join(dir, d), depth + 1));
}

/**
 * The set a migration file belongs to (its folder's layout, up to a few folders above it: diesel's
 * name/up.sql, sqitch's deploy/, Flyway's version folders) and its place in it.
 */
export function locateMigration(path: string, layoutName?: LayoutName): { set: MigrationSet; index: number } | undefined {
  const full = resolve(path);
  for (const candidate of setFolders(full)) {
    const layout = layoutName ? layoutByName(layoutName) : LAYOUTS.find((l) => existsSync(candidate) && statSync(candidate).isDirectory() && l.detect(candidate));
    if (!layout) continue;
    const set = read(layout, candidate);
    const index = set.migrations.findIndex((m) => resolve(m.file) === full);
    if (index >= 0) return { set, index };
  }
  return undefined;
}

/**
 * The folders a migration file's set can be rooted at, judged by its name and folders: its own, or
 * (diesel's name/up.sql, Prisma's name/migration.sql, graphile's committed/, sqitch's deploy/, Flyway's
 * version folders) one above. Never a search up the tree.
 */
function setFolders(file: string): string[] {
  const dir = dirname(file);
  const name = basename(file).toLowerCase();
  const folders = [dir];
  if (name === 'up.sql' || name === 'down.sql' || name === 'migration.sql' || ['committed', 'current'].includes(basename(dir)) || /^\d+([._]\d+)*$/.test(basename(dir))) folders.push(dirname(dir));
  // sqitch: deploy/<change>.sql, where a change name may hold slashes (deploy/app/users.sql).
  for (let d = dir, up = 0; up < 4 && dirname(d) !== d; d = dirname(d), up++) {
    if (basename(d) === 'deploy') {
      folders.push(dirname(d));
      break;
    }
  }
  return folders;
}

/** A migration file named on its own: read with its folder's layout (sections, directives, down step). */
function singleFile(path: string, options: FindOptions): MigrationSet {
  const found = locateMigration(path, options.layout);
  if (found) {
    const m = found.set.migrations[found.index];
    return { ...found.set, dir: path, skipped: [], migrations: [{ ...m, file: path, ...(m.down && m.down.file === m.file ? { down: { ...m.down, file: path } } : {}) }] };
  }
  const plain = migration(path, 'file', 'none', basename(path).replace(/\.sql$/i, ''));
  return { dir: path, layout: 'file', tool: 'a SQL file', migrations: [dbmateMigration(plain) ?? plain], skipped: [], setup: [] };
}

/** What a report says about a set: the folder, the tool it was read as, and the files skipped. */
export function describeSet(set: MigrationSet): InputSet {
  return { path: set.dir, layout: set.layout, tool: set.tool, files: set.migrations.length, ...(set.skipped.length ? { skipped: set.skipped } : {}) };
}

/** Several Flyway locations named together are one history, merged in version order. */
function mergeFlywayLocations(sets: MigrationSet[], pathCount: number): MigrationSet[] {
  if (pathCount < 2 || sets.length < 2 || !sets.every((s) => s.layout === 'flyway')) return sets;
  return [read({ ...flyway, read: () => readFlyway(sets.map((s) => s.dir)) }, sets[0].dir)];
}
