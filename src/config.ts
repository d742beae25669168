// Config file + flags → one validated Config. Files: pgarch.config.json / .yaml / .yml, found in the
// working directory unless --config names one.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { z as Zod } from 'zod';
import type { HealthThresholds } from './monitor/types.js';

// zod (~100 ms to load) and yaml (~50 ms) are loaded only when a config file is read: most runs have
// none, and every command reads its config before anything else. loadConfig is synchronous, so they
// are required (zod's CommonJS build; yaml is CommonJS); nothing else in pgarch loads zod, so there is
// one zod in the process.
const requireCjs = createRequire(import.meta.url);

/** The config file's schema, made from zod on first use. */
export function configSchema(): ConfigSchemaType {
  schema ??= buildConfigSchema((requireCjs('zod') as { z: typeof Zod }).z);
  return schema;
}
let schema: ConfigSchemaType | undefined;

function buildConfigSchema(z: typeof Zod) {
  const RuleSetting = z.union([z.literal('off'), z.enum(['error', 'warning', 'info'])]);

  const share = z.number().min(0).max(1);
  const count = z.number().int().nonnegative();
  const amount = z.number().nonnegative();

  /**
   * `health.thresholds`: any of pgarch health's thresholds (src/monitor/types.ts), each checked for its
   * kind of number. `satisfies` keeps the list and HealthThresholds the same keys.
   */
  const HealthThresholdsSchema = z
    .object({
      deadTupleRatio: share,
      deadTupleMin: count,
      sequenceUsed: share,
      longRunningSeconds: amount,
      idleInTransactionSeconds: amount,
      connectionUsage: share,
      xidAge: share,
      unusedIndexMinBytes: amount,
      missingIndexMinRows: count,
      missingIndexMinSeqScans: count,
      cacheHitRatio: share,
      cacheMinBlocks: count,
      slowQueryMs: amount,
      slowQueryTop: count.min(1),
      vacuumStaleRatio: amount,
      vacuumStaleMinChanges: count,
      vacuumStaleSeconds: amount,
      multixactAge: share,
      replicationLagSeconds: amount,
      replicationLagBytes: amount,
      tableBloatRatio: share,
      tableBloatMinBytes: amount,
      indexBloatRatio: share,
      indexBloatMinBytes: amount,
      machineMemoryBytes: z.number().positive(),
      settingTolerance: z.number().min(1),
    } satisfies Record<keyof HealthThresholds, Zod.ZodType>)
    .partial()
    .strict();

  return z
    .object({
      /** Per rule: 'off' or a severity that replaces the default. */
      rules: z.record(z.string(), RuleSetting).default({}),
      /** Target PostgreSQL major version for version-aware rules. */
      pgVersion: z.number().int().min(9).max(30).optional(),
      /**
       * Whether the runner wraps each migration in a transaction. Unset: what the layout's tool does
       * (goose, dbmate, Flyway, diesel, drizzle, graphile-migrate: yes; Prisma, golang-migrate, Supabase CLI: one implicit transaction per
       * multi-statement file; sqitch and plain files: no).
       */
      assumeInTransaction: z.boolean().optional(),
      migrationsDir: z.string().optional(),
      /** Glob selecting migration files in an unusual layout, e.g. "**\/*.up.sql". */
      migrationsPattern: z.string().optional(),
      /** Findings on tables known to hold fewer rows than this drop to info. */
      smallTableRows: z.number().int().nonnegative().default(10_000),
      /**
       * Rule profile: "supabase" turns on the RLS rules and the built-in Supabase environment. Unset: detected
       * (supabase when a supabase/config.toml is in or above the paths), else "default".
       */
      profile: z.enum(['default', 'supabase']).optional(),
      /** SQL files or directories applied before the project's SQL and never linted (relative to the config file). */
      setup: z.array(z.string()).default([]),
      /** Schemas exposed to clients (the supabase profile's RLS rules look there). */
      exposedSchemas: z.array(z.string()).default(['public']),
      /** Rows sampled per table by data-reading rules (functional-dependency). */
      sampleRows: z.number().int().positive().default(100_000),
      /** Row counts to assume per table, e.g. { "public.orders": 5000000 }. */
      assumeRows: z.record(z.string(), z.number().nonnegative()).default({}),
      /** pgarch health: thresholds that replace the defaults, e.g. { "thresholds": { "longRunningSeconds": 60 } }. */
      health: z.object({ thresholds: HealthThresholdsSchema.default({}) }).strict().default({ thresholds: {} }),
    })
    .strict();
}

type ConfigSchemaType = ReturnType<typeof buildConfigSchema>;

export type Config = Zod.infer<ConfigSchemaType>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The files a command reads when --config names none, in the order they are looked for. */
export const DEFAULT_FILES = ['pgarch.config.json', 'pgarch.config.yaml', 'pgarch.config.yml'];

/** The file `pgarch init` writes. */
export const CONFIG_FILE = 'pgarch.config.yaml';

/** What the schema makes of an empty file (a test holds the two equal), without loading zod. */
export function defaultConfig(): Config {
  return { rules: {}, smallTableRows: 10_000, setup: [], exposedSchemas: ['public'], sampleRows: 100_000, assumeRows: {}, health: { thresholds: {} } };
}

/** Load and validate a config file; with no path, the first default file in cwd, else defaults. */
export function loadConfig(path?: string, cwd = process.cwd()): Config {
  const file = path ? resolve(cwd, path) : DEFAULT_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  if (!file) return defaultConfig();
  if (!existsSync(file)) throw new ConfigError(`config file not found: ${path}`);
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : (requireCjs('yaml') as typeof import('yaml')).parse(text);
  } catch (error) {
    throw new ConfigError(`cannot read config ${path ?? file}: ${(error as Error).message}`);
  }
  const result = configSchema().safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`invalid config ${path ?? file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  // Setup paths are the config file's: the same file works from any working directory.
  return { ...result.data, setup: result.data.setup.map((p) => resolve(dirname(file), p)) };
}
