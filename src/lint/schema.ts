// `pgarch lint schema`: build the catalog (apply files to PGlite or a scratch database on a server, or
// read a live database), map objects back to their source lines, and run the schema rules.
import { introspect } from '../catalog/introspect.js';
import { buildOrigin, emptyOrigin } from '../catalog/origin.js';
import type { Catalog } from '../catalog/types.js';
import { defaultConfig, type Config } from '../config.js';
import { openEngine } from '../engine/index.js';
import type { Engine } from '../engine/types.js';
import { describeSet } from '../migrate/discover.js';
import { schemaRules } from '../rules/registry.js';
import type { SchemaRule } from '../rules/types.js';
import type { ParsedFile } from '../sql/parse.js';
import type { Finding, InputSet, Report } from '../types.js';
import { applyFiles, extensionsUsed, type ApplyProgress } from './apply.js';
import { EngineFailure, engineFailureOutsideStatements } from './engine-failure.js';
import { EngineDiedError, isFatalEngineError } from '../engine/types.js';
import { applyEnvironment, isEnvironmentObject, liveEnvironment, loadEnvironment, resolveProfile, type AppliedEnvironment } from './environment.js';
import { readSchemaInputs, type SchemaInputs } from './schema-inputs.js';
import { buildReport } from './policy.js';

export interface LintSchemaOptions {
  /** SQL files or directories, applied in order. */
  paths: string[];
  /** postgres:// URL; embedded PGlite when absent. */
  database?: string;
  /**
   * With a database: read its catalog as it is (read-only) instead of applying the files in a scratch
   * database; the files then only map objects to source lines. Implied when no paths are given.
   */
  live?: boolean;
  config?: Config;
  /** SQL applied first and never linted (roles, schemas, extensions a platform provides); adds to config.setup. */
  setup?: string[];
  rules?: SchemaRule[];
  progress?: ApplyProgress;
  /**
   * An engine that already holds what the files build (review: the migration run's), and what its
   * environment made: the rules run on it, nothing is applied, and the caller closes it.
   */
  built?: { engine: Engine; environment: AppliedEnvironment };
  /** The paths' inputs, already read (review reads them once for every pass). */
  inputs?: SchemaInputs;
}

export interface SchemaLintResult {
  report: Report;
  catalog: Catalog;
  files: ParsedFile[];
  /** What the platform and the migration tools made (their objects are not the project's); absent when the engine died first. */
  environment?: AppliedEnvironment;
}

export async function lintSchema(options: LintSchemaOptions): Promise<SchemaLintResult> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  const inputs = options.inputs ?? (await readSchemaInputs(options.paths));
  const { files } = inputs;
  const live = Boolean(options.database) && (options.live || options.paths.length === 0);
  // The platform is detected from the paths, and from where the migration folders found below them are.
  const profile = resolveProfile([...options.paths, ...inputs.sets.flatMap((set) => set.migrations.slice(0, 1).map((m) => m.file))], config.profile);
  const env = await loadEnvironment({
    profile,
    setup: [...config.setup, ...inputs.setup, ...(options.setup ?? [])],
    bookkeeping: inputs.sets.flatMap((set) => (set.bookkeeping ? [{ tool: set.tool, sql: set.bookkeeping }] : [])),
  });

  const { built } = options;
  const engine: Engine =
    built?.engine ??
    (await openEngine(live ? { database: options.database, readOnly: true } : { database: options.database, scratch: true, extensions: [...env.extensions, ...extensionsUsed(files)] }));
  const close = () => (built ? Promise.resolve() : engine.close());
  const findings: Finding[] = files.flatMap((f) => f.findings);
  let catalog: Catalog;
  let applied: AppliedEnvironment;
  try {
    applied = built ? built.environment : live ? liveEnvironment(env) : await applyEnvironment(engine, env);
    findings.push(...applied.findings);
    if (!live && !built) findings.push(...(await applyFiles(engine, files, options.progress)));
    catalog = await introspect(engine);
  } catch (error) {
    if (!(error instanceof EngineFailure)) throw error;
    // The engine died applying the files: report what was found, the failure, and no schema rules.
    findings.push(...error.before, error.finding);
    catalog = { serverVersion: 0, schemas: [], tables: [], views: [], enums: [], sequences: [], functions: [], extensions: [] };
    await close();
    return finish();
  }
  try {
    const origin = files.length ? buildOrigin(files) : emptyOrigin();
    // Prisma's migrations (or, live, its bookkeeping table) name the schema after Prisma's models.
    const prisma = inputs.sets.some((s) => s.layout === 'prisma') || catalog.tables.some((t) => t.name === '_prisma_migrations');
    const ctx = { catalog, origin, engine, profile, exposedSchemas: config.exposedSchemas, sampleRows: config.sampleRows, live, ...(prisma ? { orm: 'prisma' as const } : {}) };
    for (const rule of options.rules ?? schemaRules) {
      if (config.rules[rule.id] === 'off' || (rule.profiles && !rule.profiles.includes(profile))) continue;
      // What the platform and the migration tools own is not the project's to fix.
      findings.push(...(await checkGuarded(rule, ctx)).filter((f) => !isEnvironmentObject(f.object, applied)));
    }
  } catch (error) {
    if (!(error instanceof EngineDiedError)) throw error;
    // Reading data for a rule (a view over the recursive function) can kill the engine too.
    findings.push(engineFailureOutsideStatements(`The embedded engine (PGlite) aborted while pgarch read the schema (${error.message}); the schema rules that had not run yet were not checked`));
  } finally {
    await close();
  }

  return finish();

  function finish(): SchemaLintResult {
    const statements = files.reduce((n, f) => n + f.statements.length, 0);
    const report = buildReport(findings, files, config, { files: files.length, statements, started });
    return {
      report: inputs.sets.length || inputs.skipped.length ? { ...report, inputs: schemaInputSets(inputs) } : report,
      catalog,
      files,
      environment: applied,
    };
  }
}

/** The migration folders read, and the SQL files found but not applied (as one entry of their own). */
function schemaInputSets(inputs: SchemaInputs): InputSet[] {
  return [...inputs.sets.map(describeSet), ...inputs.skipped.map((s) => ({ path: s.path, layout: 'none', tool: 'SQL files not applied', files: 0, skipped: s.files }))];
}

/** A rule that throws becomes a rule-error finding; the other rules still run. */
async function checkGuarded(rule: SchemaRule, ctx: Parameters<SchemaRule['check']>[0]): Promise<Finding[]> {
  try {
    return await rule.check(ctx);
  } catch (error) {
    if (isFatalEngineError(error)) throw error;
    return [{ rule: 'rule-error', severity: 'warning', message: `pgarch's rule ${rule.id} failed (${(error as Error).message}); the schema was not checked by it`, hint: 'Please report this; silence it with {"rules": {"rule-error": "off"}} meanwhile.' }];
  }
}

/**
 * The SQL files that build the schema, read and parsed (paths as given, so locations match what the
 * user typed): migration folders' up steps in their tool's order, else the SQL files (see schema-inputs.ts).
 */
export async function readSqlFiles(paths: string[]): Promise<ParsedFile[]> {
  return (await readSchemaInputs(paths)).files;
}
