// `advise indexes --apply`: the proposals as a migration in the project's own layout, outside a
// transaction (CONCURRENTLY), with a down step, then linted by the migration lint over the project's
// whole history, so what is written is checked as the tool will run it.
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { InputError } from '../lint/files.js';
import { findMigrationSets } from '../migrate/discover.js';
import { lintMigrations } from '../migrate/lint.js';
import { writeNoTransactionMigration, type NewMigration, type WriteTarget } from '../migrate/layouts/write.js';
import { quoteQualified } from '../sql/quote.js';
import { loadParser } from '../sql/parse.js';
import { insertAfterKeywords } from '../sql/rewrite.js';
import type { Finding, Report } from '../types.js';
import type { Advice } from './types.js';

export interface Applied {
  /** Files written (or, for a sqitch plan, appended to). */
  files: string[];
  dir: string;
  layout: string;
  /** The migration lint's findings on what was written (the history before it, or the --schema files, build the catalog). */
  findings: Finding[];
  /** Why the lint did not run. */
  notLinted?: string;
}

/** The statements of the advice: extensions first, then each index and the drop of what it replaces; down undoes them in reverse. Requires loadParser(). */
export function adviceMigration(advice: Advice): NewMigration {
  const up: string[] = [];
  const down: string[] = [];
  for (const p of advice.indexes) {
    up.push(p.sql);
    const replaced = p.replaces ? advice.drops.find((d) => d.reason === 'redundant' && d.coveredBy === p.name) : undefined;
    if (replaced) up.push(replaced.sql);
    down.unshift(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified(p.object.slice(0, p.object.indexOf('.')), p.name)};`);
    const recreate = replaced?.definition ? insertAfterKeywords(replaced.definition, ['INDEX'], 'CONCURRENTLY') : undefined;
    if (recreate) down.unshift(`${recreate};`);
  }
  const saved = advice.totalBefore > 0 ? ((advice.totalBefore - advice.totalAfter) / advice.totalBefore) * 100 : 0;
  return {
    name: 'add_advised_indexes',
    description: `${advice.indexes.length} index${advice.indexes.length === 1 ? '' : 'es'} advised by pgarch advise indexes for ${advice.queries.length} queries (workload cost −${saved.toFixed(1)}%)`,
    before: [...new Set(advice.indexes.flatMap((p) => (p.extension ? [`CREATE EXTENSION IF NOT EXISTS ${p.extension};`] : [])))],
    up,
    down,
    creates: advice.indexes.map((p) => p.name),
  };
}

/**
 * Where the migration goes: the one migration folder found under `path` (default: the current
 * directory); a folder with no migrations yet (or none at all) gets pgarch's own template.
 */
function targetOf(path: string | undefined): WriteTarget {
  const where = path ?? '.';
  if (path && (!existsSync(path) || readdirSync(path).length === 0)) return { dir: path, layout: 'dbmate', migrations: [] };
  const sets = existsSync(where) ? findMigrationSets([where]) : [];
  if (sets.length === 1) return sets[0];
  if (!sets.length) throw new InputError(`no migrations folder found under ${resolve(where)}: give --apply DIR (an existing migrations folder, or a new one)`);
  throw new InputError(`${sets.length} migration folders found under ${resolve(where)} (${sets.map((s) => `${s.dir}: ${s.tool}`).join('; ')}): give --apply DIR for the one to write into`);
}

/**
 * @param options.schema the schema files the advice came from (--schema): the catalog a folder with no
 *   history yet is linted on.
 */
export async function applyAdvice(advice: Advice, path: string | undefined, options: { config?: Config; now?: Date; schema?: string[] } = {}): Promise<Applied & { report?: Report }> {
  if (!advice.indexes.length) throw new InputError('--apply: no index pays for itself on this workload, so there is no migration to write');
  await loadParser();
  const target = targetOf(path);
  const files = writeNoTransactionMigration(target, adviceMigration(advice), options.now);
  // Read back as the tool will read it, and lint what was written with the history before it.
  const [set] = findMigrationSets([target.dir]);
  const written = new Set(files.map((f) => resolve(f)));
  const only = set.migrations.filter((m) => written.has(resolve(m.file))).map((m) => m.file);
  if (!only.length) throw new InputError(`${files.join(', ')}: written, but ${target.dir} does not read them back as migrations`);
  const history = set.migrations.length > only.length;
  const base = { files, dir: target.dir, layout: set.layout };
  // Without a history the tables exist only in the schema the advice came from; from --database there is none to build.
  if (!history && !options.schema?.length) return { ...base, findings: [], notLinted: 'the folder has no earlier migrations to build the tables from, and the schema came from --database' };
  const lint = await lintMigrations({ paths: [target.dir], sets: [set], only, ...(history ? {} : { setup: options.schema }), ...(options.config ? { config: options.config } : {}) });
  return { ...base, findings: lint.report.findings, report: lint.report };
}
