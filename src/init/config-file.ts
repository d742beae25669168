// `pgarch init`: a commented pgarch.config.yaml for the project in a folder — what was found there
// (migration folders as their tool's layout, queries folders, a Supabase project) and every key a
// user is likely to want, commented out with its default or an example.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { stringify } from 'yaml';
import { CONFIG_FILE, DEFAULT_FILES, defaultConfig, type Config } from '../config.js';
import { findNamedDirs } from '../lint/review.js';
import { InputError, statPath } from '../lint/files.js';
import { findMigrationSets, type MigrationLayout } from '../migrate/discover.js';
import { LAYOUTS, type TransactionMode } from '../migrate/layouts/index.js';
import { DEFAULT_PG_VERSION } from '../migrate/lint.js';
import { DEFAULT_THRESHOLDS } from '../monitor/types.js';
import { discoverQueryFiles } from '../query/sources.js';

export { CONFIG_FILE };

/** What `pgarch init` found in a project folder; paths are relative to it, with `/`. */
export interface ProjectFound {
  migrations: Array<{ path: string; layout: MigrationLayout; tool: string; files: number; skipped: number; transaction?: TransactionMode }>;
  queries: Array<{ path: string; files: number }>;
  /** A supabase/ folder, or a migrations folder in the Supabase CLI's layout. */
  supabase: boolean;
}

/** One key of the file: the one-line comment above it, and its value (written commented out unless `active`). */
export interface ConfigEntry {
  key: keyof Config;
  about: string;
  value: unknown;
  active?: boolean;
}

/** The migration folders, queries folders and Supabase project in `dir`, found as `pgarch review` finds them. */
export function findProject(dir: string): ProjectFound {
  const rel = (p: string) => relative(dir, p).split(sep).join('/') || '.';
  const sets = findMigrationSets([dir], { plainFolder: false });
  return {
    migrations: sets.map((s) => {
      // The tool's own way, from a migration whose file does not opt out of it.
      const transaction = s.migrations.find((m) => !m.noTransaction)?.transaction;
      return { path: rel(s.dir), layout: s.layout, tool: s.tool, files: s.migrations.length, skipped: s.skipped.length, ...(transaction ? { transaction } : {}) };
    }),
    queries: findNamedDirs([dir], 'queries').map((q) => ({ path: rel(q), files: discoverQueryFiles([q]).length })),
    supabase: isDirectory(join(dir, 'supabase')) || sets.some((s) => s.layout === 'supabase'),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
// A folder name goes into a comment line: it must not end the comment.
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');

/** One line per thing found (or looked for and not found), as the file's header and `pgarch init` say it. */
export function describeProject(found: ProjectFound): string[] {
  const lines = found.migrations.map((m) => `${oneLine(m.path)} (${m.tool}, ${plural(m.files, 'migration')}${m.skipped ? `; ${plural(m.skipped, 'file')} skipped: pgarch review says why` : ''})`);
  if (!found.migrations.length) lines.push('no migrations folder in a layout pgarch detects');
  lines.push(...found.queries.map((q) => `${oneLine(q.path)} (${plural(q.files, 'query file')}: the query rules check them against the schema)`));
  if (!found.queries.length) lines.push('no queries folder (the query rules read .sql and code files in folders named queries)');
  if (found.supabase) lines.push('a Supabase project (supabase/): profile supabase');
  return lines;
}

const TRANSACTION_WORDS: Record<TransactionMode, string> = {
  transaction: 'yes, unless a file opts out',
  implicit: 'a file of several statements is one implicit transaction',
  none: 'no',
};

/** The keys written, in order: only ConfigSchema's (the `key` type says so), each value one it accepts. */
export function configEntries(found: ProjectFound): ConfigEntry[] {
  const defaults = defaultConfig();
  const tools = [...new Map(found.migrations.filter((m) => m.transaction).map((m) => [m.tool, `${m.tool}: ${TRANSACTION_WORDS[m.transaction!]}`])).values()];
  const t = DEFAULT_THRESHOLDS;
  return [
    { key: 'rules', about: 'Per rule id (at the end of each finding): off, or the severity to use: error, warning or info.', value: { 'missing-lock-timeout': 'error', 'missing-comment': 'off' } },
    {
      key: 'profile',
      about: found.supabase
        ? 'Rule profile supabase: the RLS rules and the built-in Supabase environment (roles, auth, storage, ...).'
        : 'Rule profile supabase: the RLS rules and the Supabase environment (unset: if supabase/config.toml exists).',
      value: found.supabase ? 'supabase' : 'default',
      active: found.supabase,
    },
    { key: 'pgVersion', about: `Your PostgreSQL major version, for version-aware rules and fixes (unset: the server's, else ${DEFAULT_PG_VERSION}).`, value: DEFAULT_PG_VERSION },
    {
      key: 'assumeInTransaction',
      about: `Whether each migration runs in a transaction; unset: as its tool runs it${tools.length ? ` (${tools.join('; ')})` : ''}.`,
      value: found.migrations.length ? found.migrations.every((m) => m.transaction === 'transaction') : true,
    },
    { key: 'assumeRows', about: 'Rows to assume per table (a scratch database holds none), for the findings that depend on size.', value: { 'public.orders': 5_000_000 } },
    { key: 'smallTableRows', about: 'Findings on tables known to hold fewer rows than this drop to info.', value: defaults.smallTableRows },
    { key: 'setup', about: 'SQL files or folders applied first, never linted: what your platform provides (relative to here).', value: ['db/setup.sql'] },
    { key: 'exposedSchemas', about: "Schemas exposed to clients: the supabase profile's RLS rules look there.", value: defaults.exposedSchemas },
    { key: 'sampleRows', about: 'Rows sampled per table by the rules that read data (functional-dependency).', value: defaults.sampleRows },
    {
      key: 'migrationsPattern',
      about: 'Glob of migration files for lint migrations, in a layout pgarch does not detect (review: --pattern).',
      value: '**/*.up.sql',
    },
    {
      key: 'health',
      about: "pgarch health: thresholds in place of these defaults (docs/rules lists each check's own).",
      value: { thresholds: { longRunningSeconds: t.longRunningSeconds, idleInTransactionSeconds: t.idleInTransactionSeconds, connectionUsage: t.connectionUsage } },
    },
  ];
}

/** The text of pgarch.config.yaml for what was found. */
export function renderConfig(found: ProjectFound): string {
  const header = [
    `# ${CONFIG_FILE}: the settings of pgarch, the PostgreSQL architect, for this project.`,
    '# Written by pgarch init; edit freely. pgarch reads it from the folder it runs in, or --config FILE.',
    '# Every key is optional: the ones commented out show their default or an example; to set one,',
    '# remove the "# " before its lines.',
    '#',
    '# Review the project, from this folder:',
    '#   npx pgarch review .',
    '#',
    ...describeProject(found).map((line) => `# found: ${line}`),
    ...(found.migrations.length
      ? []
      : [
          ...wrap(`(pgarch detects the folders of ${LAYOUTS.filter((l) => l.name !== 'numbered').map((l) => l.tool).join(', ')}, and numbered SQL files;`, '#   '),
          '#   for another layout: npx pgarch review . --pattern "**/*.up.sql")',
        ]),
  ];
  const body = configEntries(found).flatMap((entry) => {
    const yaml = stringify({ [entry.key]: entry.value }).trimEnd().split('\n');
    return ['', `# ${entry.about}`, ...(entry.active ? yaml : yaml.map((line) => `# ${line}`))];
  });
  return `${[...header, ...body].join('\n')}\n`;
}

export interface InitResult {
  /** The file written. */
  file: string;
  found: ProjectFound;
}

/**
 * Write pgarch.config.yaml in `dir`. An existing config file there is never replaced (an input error);
 * with `force`, pgarch.config.yaml is, but not a .json or .yml beside it: commands would read that one
 * first (.json) or leave one unread (.yml), so the user removes it.
 */
export function initConfig(dir: string, options: { force?: boolean } = {}): InitResult {
  if (!statPath(dir).isDirectory()) throw new InputError(`not a directory: ${dir}`);
  const file = join(dir, CONFIG_FILE);
  for (const name of DEFAULT_FILES) {
    const existing = join(dir, name);
    if (!existsSync(existing)) continue;
    if (!options.force) throw new InputError(`${existing} already exists: pgarch init does not overwrite it (--force does)`);
    if (name !== CONFIG_FILE) throw new InputError(`${existing} already exists and --force only replaces ${CONFIG_FILE}: remove ${existing} first`);
  }
  const found = findProject(dir);
  writeFileSync(file, renderConfig(found));
  return { file, found };
}

/** Text as comment lines of at most 100 characters, broken between words. */
function wrap(text: string, prefix: string): string[] {
  const lines: string[] = [];
  let line = prefix;
  for (const word of text.split(' ')) {
    if (line.length > prefix.length && line.length + 1 + word.length > 100) {
      lines.push(line);
      line = prefix;
    }
    line += line.length > prefix.length ? ` ${word}` : word;
  }
  return [...lines, line];
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
