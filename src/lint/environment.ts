// The environment a project's SQL assumes before its first file runs: `--setup` files (the roles,
// schemas, extensions and functions a platform provides) and built-in platform environments
// (`supabase`, used by `--profile supabase` and detected from `supabase/config.toml`). It is applied
// first and never linted; the objects it creates are the platform's, so no schema finding is about
// them — nor about the bookkeeping tables migration tools keep for themselves.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Engine } from '../engine/types.js';
import type { SetupFile } from '../migrate/layouts/types.js';
import { loadParser, parseFileSync, type ParsedFile } from '../sql/parse.js';
import type { Finding } from '../types.js';
import { applyFiles, extensionsUsed } from './apply.js';
import type { FailureGroups } from './root-cause.js';
import { SUPABASE_ENVIRONMENT, SUPABASE_SCHEMAS } from './environments/supabase.js';
import { InputError, discoverSqlFiles } from './files.js';
import { readSqlFile } from '../sql/encoding.js';

export type Profile = NonNullable<Config['profile']>;

export interface Environment {
  /** SQL applied before the project's, in order: the built-in platform first, then `--setup` files. */
  files: ParsedFile[];
  /** Built-in environments in use, e.g. `supabase`. */
  builtins: string[];
  /** Extensions its SQL creates (the embedded engine loads them before it starts). */
  extensions: string[];
}

export const EMPTY_ENVIRONMENT: Environment = { files: [], builtins: [], extensions: [] };

const BUILTIN_FILE: Record<string, string> = { supabase: '<built-in supabase environment>' };

/**
 * Parse the environment for a profile, setup files and the migration tools' bookkeeping tables
 * (requires nothing loaded; loads the parser).
 */
export async function loadEnvironment(options: {
  profile?: Profile;
  /** Files or directories the user names, or files a migration tool runs first (already read as it reads them). */
  setup?: Array<string | SetupFile>;
  bookkeeping?: Array<{ tool: string; sql: string }>;
}): Promise<Environment> {
  await loadParser();
  const builtins = options.profile === 'supabase' ? ['supabase'] : [];
  const files = [
    ...builtins.map((name) => parseFileSync(SUPABASE_ENVIRONMENT, BUILTIN_FILE[name])),
    ...(options.setup ?? []).flatMap((entry) =>
      typeof entry === 'string' ? discoverSqlFiles([entry]).map((file) => parseFileSync(readSetupFile(file), file)) : [parseFileSync(entry.text, entry.file)],
    ),
    ...(options.bookkeeping ?? []).map((b) => parseFileSync(b.sql, `<${b.tool} bookkeeping tables>`)),
  ];
  // A setup statement that does not parse is a finding in the setup file (applyEnvironment reports
  // it); the statements around it still build the environment.
  return { files, builtins, extensions: extensionsUsed(files) };
}

function readSetupFile(file: string): string {
  try {
    return readSqlFile(file);
  } catch {
    throw new InputError(`no such setup file: ${file}`);
  }
}

/**
 * The profile to use: an explicit one (flag or config file) wins; else `supabase` when a Supabase
 * project is found in or above the paths (its `supabase/config.toml`); else `default`.
 */
export function resolveProfile(paths: string[], explicit: Config['profile']): Profile {
  if (explicit) return explicit;
  return paths.some((p) => findSupabaseConfig(p)) ? 'supabase' : 'default';
}

/** `supabase/config.toml` for a path inside (or at the root of) a Supabase project. */
export function findSupabaseConfig(path: string): string | undefined {
  let dir = resolve(path);
  for (let depth = 0; depth < 8; depth++) {
    for (const candidate of [join(dir, 'supabase', 'config.toml'), basename(dir) === 'supabase' ? join(dir, 'config.toml') : '']) {
      if (candidate && existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

export interface AppliedEnvironment {
  /** Statements of the environment that failed (located in its files). */
  findings: Finding[];
  /** `schema.name` of every relation and function that existed once it was applied. */
  objects: Set<string>;
  /** Schemas a built-in platform owns (Supabase's auth, storage, …), also on a live database. */
  schemas: Set<string>;
}

/** What a live database's environment is known to be: only the built-in platform's schemas. */
export function liveEnvironment(env: Environment): AppliedEnvironment {
  return { findings: [], objects: new Set(), schemas: platformSchemas(env) };
}

export function platformSchemas(env: Environment): Set<string> {
  return new Set(env.builtins.includes('supabase') ? SUPABASE_SCHEMAS : []);
}

// Session state a setup file leaves (a pg_dump's set_config('search_path', '', false), SET ROLE) is its
// own: the tools run setup in sessions of its own. A platform's defaults are what its sessions start with.
const RESET_SESSION = 'RESET ALL; SET SESSION AUTHORIZATION DEFAULT';
const PLATFORM_SESSION: Record<string, string> = { supabase: 'SET search_path TO "$user", public, extensions' };

/**
 * Apply the environment, and remember what it created so that no finding is about it. With `failures`,
 * what fails later because of an environment failure (an extension a setup file creates) is counted there.
 */
export async function applyEnvironment(engine: Engine, env: Environment, failures?: FailureGroups): Promise<AppliedEnvironment> {
  const findings = [...env.files.flatMap((f) => f.findings.filter((x) => x.rule === 'syntax-error')), ...(env.files.length ? await applyFiles(engine, env.files, undefined, failures) : [])];
  if (env.files.length) await engine.exec(RESET_SESSION);
  for (const name of env.builtins) if (PLATFORM_SESSION[name]) await engine.exec(PLATFORM_SESSION[name]);
  const objects = new Set<string>();
  if (env.files.length) {
    const { rows } = await engine.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'
       union all
       select n.nspname || '.' || p.proname from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        where n.nspname not in ('pg_catalog', 'information_schema')`,
    );
    for (const r of rows) objects.add(r.name);
  }
  return { findings, objects, schemas: platformSchemas(env) };
}

/** Tables migration tools keep for their own bookkeeping, by name in any schema. */
const BOOKKEEPING_TABLES = new Set([
  '_prisma_migrations',
  'goose_db_version',
  'schema_migrations',
  'flyway_schema_history',
  '__diesel_schema_migrations',
  '__drizzle_migrations',
  'ar_internal_metadata',
  'knex_migrations',
  'knex_migrations_lock',
  'pgmigrations',
  'SequelizeMeta',
  'typeorm_metadata',
  'pgarch_migrations',
]);
/** Schemas that hold nothing but a migration tool's bookkeeping. */
const BOOKKEEPING_SCHEMAS = new Set(['sqitch', 'graphile_migrate', 'supabase_migrations']);

/**
 * Whether a finding's object (`schema.name[.part]`, as rules write it) belongs to the environment: made
 * by it, in a schema a built-in platform owns, or a migration tool's bookkeeping.
 */
export function isEnvironmentObject(object: string | undefined, env: AppliedEnvironment): boolean {
  if (!object) return false;
  const [schema, name] = object.split('.');
  if (name === undefined) return false;
  return env.objects.has(`${schema}.${name}`) || env.schemas.has(schema) || BOOKKEEPING_TABLES.has(name) || BOOKKEEPING_SCHEMAS.has(schema);
}
