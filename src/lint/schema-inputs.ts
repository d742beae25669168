// The SQL that builds a project's schema. Where a path holds migration folders (any layout), their up
// steps build it, in their tool's order — never down steps, tests (pgTAP) or seeds — and other SQL
// files beside them are left out (a schema dump would create everything twice). Where it holds none,
// its SQL files are the schema, searched recursively, seeds and tests left out.
import { relative } from 'node:path';
import { findMigrationSets, type MigrationSet, type SetupFile, type SkippedFile } from '../migrate/discover.js';
import { parseMigration } from '../migrate/parse-migration.js';
import { callsAny } from '../sql/tree.js';
import { loadParser, parseFileSync, type ParsedFile } from '../sql/parse.js';
import { discoverSqlFiles, readInputFile, statPath } from './files.js';

export interface SchemaInputs {
  /** Applied in order. */
  files: ParsedFile[];
  /** The migration folders found, each as its layout. */
  sets: MigrationSet[];
  /** SQL files found but not applied, and why, by the path the user gave. */
  skipped: Array<{ path: string; files: SkippedFile[] }>;
  /** SQL the migration tools run before the migrations (graphile-migrate's afterReset). */
  setup: SetupFile[];
}

export async function readSchemaInputs(paths: string[]): Promise<SchemaInputs> {
  await loadParser();
  const out: SchemaInputs = { files: [], sets: [], skipped: [], setup: [] };
  for (const path of paths) {
    if (statPath(path).isFile()) {
      // A migration file named alone is still read as its layout (dbmate and goose sections).
      const [set] = findMigrationSets([path]);
      out.files.push(...set.migrations.map(parseMigration));
      continue;
    }
    const sets = findMigrationSets([path], { plainFolder: false });
    if (sets.length) {
      const applied = new Set(sets.flatMap((s) => s.migrations.flatMap((m) => [m.file, ...(m.down ? [m.down.file] : [])])));
      out.sets.push(...sets);
      out.setup.push(...sets.flatMap((s) => s.setup));
      out.files.push(...sets.flatMap((s) => s.migrations.map(parseMigration)));
      const setup = new Set(out.setup.map((s) => s.file));
      const reported = new Set(sets.flatMap((s) => s.skipped.map((k) => k.file)));
      const skipped: SkippedFile[] = [];
      for (const file of discoverSqlFiles([path])) {
        if (applied.has(file) || setup.has(file) || reported.has(file)) continue;
        skipped.push({ file, reason: notSchemaReason(relative(path, file), parse(file)) ?? 'not a migration: the migrations build the schema' });
      }
      if (skipped.length) out.skipped.push({ path, files: skipped });
      continue;
    }
    const skipped: SkippedFile[] = [];
    for (const file of discoverSqlFiles([path])) {
      const parsed = parse(file);
      const reason = notSchemaReason(relative(path, file), parsed);
      if (reason) skipped.push({ file, reason });
      else out.files.push(parsed);
    }
    if (skipped.length) out.skipped.push({ path, files: skipped });
  }
  return out;
}

function parse(file: string): ParsedFile {
  return parseFileSync(readInputFile(file), file);
}

// pgTAP's plan()/no_plan()/finish(): a test script, run in a transaction it rolls back.
const PGTAP = new Set(['plan', 'no_plan', 'finish']);

/** Why a SQL file is not schema: a seed, a test (by its folder or its pgTAP calls). */
export function notSchemaReason(relativePath: string, parsed: ParsedFile): string | undefined {
  const parts = relativePath.split(/[\\/]/);
  const name = parts[parts.length - 1].toLowerCase();
  if (/(^|[._-])seeds?([._-]|$)/.test(name) || parts.slice(0, -1).some((d) => /^seeds?$/i.test(d))) return 'seed data, not schema';
  if (parts.slice(0, -1).some((d) => /^(tests?|spec|__tests__)$/i.test(d)) || /(^|[._-])test\.sql$/.test(name)) return 'a test, not schema';
  if (parsed.statements.some((s) => callsAny(s.node, PGTAP))) return 'a pgTAP test, not schema';
  return undefined;
}
