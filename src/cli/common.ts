// What every command shares: the options, how output is written, progress, and exit codes.
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { isKeywordValue, toConnectionUrl } from '../engine/conninfo.js';
import { setInputEncoding } from '../sql/encoding.js';
import { redact } from '../engine/redact.js';
import { EngineDiedError, EngineError } from '../engine/types.js';
import { LAYOUT_NAMES, type MigrationLayout } from '../migrate/discover.js';
import { InputError } from '../lint/files.js';
import { defaultCacheDir } from '../migrate/history-cache.js';
import { exitCodeFor, formatReport, FORMATS, type Format } from '../report/index.js';
import type { Report } from '../types.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
/** The embedded engine died: what was checked before is reported (an engine-failure finding). */
export const EXIT_ENGINE_FAILURE = 3;

export interface CommonOptions {
  database?: string;
  format: Format;
  config?: string;
  quiet?: boolean;
  color?: boolean;
  output?: string;
  maxWarnings?: number;
  encoding?: string;
}

/** A count given on the command line: a whole number, or a usage error (exit 2). */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
}

/** A quantity given on the command line (a size, a weight): a number above zero, or a usage error (exit 2). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number above zero, got "${value}"`);
  return n;
}

/** A repeatable option's values, in the order given. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A PostgreSQL major version: 9 to 30, as the config file accepts. */
export function pgMajor(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 9 || n > 30) throw new InvalidArgumentError(`expected a PostgreSQL major version (9 to 30), got "${value}"`);
  return n;
}

/** --database, --format, --config, --quiet, --no-color, --output, --max-warnings. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('-d, --database <url>', 'PostgreSQL URL (default: $DATABASE_URL, else embedded PGlite); SQL files are applied in a scratch database there, inside one transaction that is rolled back: no role, setting or other database changes')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml)')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', wholeNumber)
    .option('-q, --quiet', 'report errors only')
    .option('--no-color', 'plain text output')
    .option('--encoding <name>', 'encoding of the SQL files (default: utf-8; e.g. latin1, windows-1252, utf-16le)');
}

export interface EnvironmentOptions {
  setup?: string[];
  profile?: 'default' | 'supabase';
}

const collectPaths = (value: string, previous: string[] = []) => [...previous, value];

/** --setup and --profile: the environment the project's SQL assumes (see lint/environment.ts). */
export function addEnvironmentOptions(cmd: Command): Command {
  return cmd
    .option('--setup <path>', 'SQL file or directory applied before the project\'s SQL and never linted: the roles, schemas, extensions and functions your platform provides (repeatable)', collectPaths)
    .addOption(
      new Option('--profile <profile>', 'supabase: the Supabase platform (roles, auth, storage, …) and the RLS rules; default: detected from supabase/config.toml').choices([
        'default',
        'supabase',
      ]),
    );
}

/** --layout and --pattern: how migration folders are read when detection is not what you want. */
export function addLayoutOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--layout <tool>', 'read migration folders as this tool\'s layout instead of detecting it').choices(LAYOUT_NAMES.filter((n) => n !== 'pattern' && n !== 'file')))
    .option('--pattern <glob>', 'migration files matching this glob in each folder, for layouts no reader knows, e.g. "**/*.forward.sql"');
}

export interface LayoutOptions {
  layout?: MigrationLayout;
  pattern?: string;
}

/** --cache-dir and --no-cache: where the embedded engine's state after a long migration history is kept. */
export function addCacheOptions(cmd: Command): Command {
  return cmd
    .option('--cache-dir <dir>', 'keep the engine\'s state after a long migration history here, so the next run restarts from it (default: node_modules/.cache/pgarch, else ~/.cache/pgarch)')
    .option('--no-cache', 'run the whole history every time: read no cache, write none');
}

export interface CacheOptions {
  cache: boolean;
  cacheDir?: string;
}

/** The cache to use, or undefined with --no-cache. */
export function resolveCache(opts: CacheOptions): { dir: string } | undefined {
  return opts.cache ? { dir: opts.cacheDir ?? defaultCacheDir() } : undefined;
}

/** The config with --profile applied over the config file's. */
export function withEnvironment(config: Config, opts: EnvironmentOptions): Config {
  return opts.profile ? { ...config, profile: opts.profile } : config;
}

/** --database, else $DATABASE_URL; a URL that is not one is a usage error (one line, password redacted). */
export function resolveDatabase(opts: Pick<CommonOptions, 'database'>): string | undefined {
  const url = opts.database ?? (process.env.DATABASE_URL || undefined);
  if (url !== undefined) checkDatabaseUrl(url, opts.database === undefined ? 'DATABASE_URL' : '--database');
  return url;
}

function checkDatabaseUrl(url: string, source: string): void {
  // key=value connection strings (host=… dbname=…): malformed ones and bad ports are told here.
  if (isKeywordValue(url)) {
    try {
      toConnectionUrl(url);
      return;
    } catch (error) {
      throw new InputError(`${source}: ${redact((error as Error).message)}`);
    }
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${source}: malformed connection URL ${redact(url)} (expected postgres://user@host:port/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new InputError(`${source}: ${redact(url)} is not a postgres:// URL`);
}

export function readConfig(opts: CommonOptions): Config {
  // Every command reads its options here first: the files it reads next are decoded as asked.
  if (opts.encoding) {
    try {
      setInputEncoding(opts.encoding);
    } catch {
      throw new InputError(`--encoding: unknown encoding ${opts.encoding} (latin1, windows-1252, utf-16le, …)`);
    }
  }
  return loadConfig(opts.config);
}

/**
 * Paths that held nothing to read are an input error, not a clean result: "No problems found in 0
 * files" reads as a pass.
 */
export function requireInput(report: Report, paths: string[], what = 'SQL files'): void {
  if (paths.length && report.summary.files === 0 && report.summary.statements === 0 && report.findings.length === 0) {
    throw new InputError(`no ${what} found in ${paths.join(', ')}: nothing was checked`);
  }
}

/** Colour on a terminal only: not into a file (--output), not with --no-color or NO_COLOR. */
export function useColor(opts: Pick<CommonOptions, 'color' | 'output'>): boolean {
  return opts.color !== false && !opts.output && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}

/** A command's result: into --output's file, else on stdout. */
export function writeResult(text: string, output: string | undefined): void {
  if (output) writeFileSync(output, `${text}\n`);
  else process.stdout.write(`${text}\n`);
}

/**
 * Print a report in the chosen format and return the exit code it implies. `render` gives a command's
 * own form of some formats (review's five parts, health's Monitoring section); undefined: the shared one.
 */
export async function emitReport(report: Report, opts: Pick<CommonOptions, 'format' | 'quiet' | 'color' | 'output' | 'maxWarnings'>, render?: (color: boolean) => string | undefined): Promise<number> {
  const color = useColor(opts);
  // Only SARIF describes the rules; loading every rule module for the other formats costs ~100 ms.
  const rules = opts.format === 'sarif' ? (await import('../rules/registry.js')).allRules() : undefined;
  writeResult(render?.(color) ?? formatReport(report, opts.format, { color, quiet: opts.quiet, rules }), opts.output);
  return exitCodeFor(report.findings, opts.maxWarnings);
}

/** A progress line on stderr when it is a terminal; silent on pipes and in CI logs. */
export function progressReporter(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const width = 24;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    if (done >= total) process.stderr.write('\r\x1b[K');
  };
}

/**
 * Run a command body: known failures (bad input, config, connection) print one redacted line and
 * exit 2; anything unexpected prints one line too (stack only with PGARCH_DEBUG=1).
 */
export async function runCommand(body: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await body();
  } catch (error) {
    const known = error instanceof InputError || error instanceof ConfigError || error instanceof EngineError;
    const message = redact((error as Error)?.message ?? String(error));
    const died = error instanceof EngineDiedError;
    process.stderr.write(`pgarch: ${died ? 'the embedded engine (PGlite) died: ' : known ? '' : 'internal error: '}${message}\n`);
    if (process.env.PGARCH_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
    code = died ? EXIT_ENGINE_FAILURE : EXIT_USAGE;
  }
  // Flush stdout before exiting: a large JSON report on a pipe must not be cut short.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
