// `pgarch lint migrations`: apply migrations in order to a real PostgreSQL and, before each
// statement, check every migration rule against the catalog as it is at that moment.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { defaultConfig, type Config } from '../config.js';
import { openEngine } from '../engine/index.js';
import { CorruptDataDirError } from '../engine/data-dir.js';
import { VERSION } from '../version.js';
import { HistoryCache, SAVE_FROM_STATEMENTS } from './history-cache.js';
import type { Engine } from '../engine/types.js';
import { EngineDiedError, isFatalEngineError, shiftedError, toEngineError } from '../engine/types.js';
import { errorLocation, executionErrorFinding, extensionsUsed, isCopyFromStdin, transactionControl } from '../lint/apply.js';
import { engineFailureFinding, engineFailureOutsideStatements } from '../lint/engine-failure.js';
import { FailureGroups, type Failure } from '../lint/root-cause.js';
import { applyEnvironment, EMPTY_ENVIRONMENT, loadEnvironment, platformSchemas, resolveProfile, type AppliedEnvironment } from '../lint/environment.js';
import { InputError } from '../lint/files.js';
import { buildReport, dropIgnored } from '../lint/policy.js';
import { migrationRules } from '../rules/migration/index.js';
import type { AnyNode, MigrationRule, MigrationRuleContext, TableRef, TransactionState } from '../rules/types.js';
import { loadParser, parseFileSync, type ParsedFile, type Statement } from '../sql/parse.js';
import type { Finding, Report, Severity } from '../types.js';
import { EngineCatalogView, ParseOnlyCatalogView, type RowSources } from './catalog-view.js';
import { findMigrationSets, type Migration, type MigrationLayout, type MigrationSet } from './discover.js';
import { blameCodeMigrations } from './code-migrations.js';
import { foldPerScope } from './fold.js';
import { describeSet, runnerTransaction } from './layouts/index.js';
import { parseMigration, parseMigrationDown } from './parse-migration.js';
import { testRollback, type RollbackTest } from './rollback-test.js';
import { estimateRuntime, FULL_PASS_RULES, type RuntimeEstimate } from './runtime-estimate.js';
import { documentedLock } from './locks.js';
import { alterCommandStarts, changedNames, createdTable, emptiedTables, timeZoneSet, isBuiltinType, isConstantExpression, isDdl, keepsHoldBrief, setsLockTimeout, textToRun, touchedRelations, type RangeVar } from './statement.js';

export interface LintMigrationsOptions {
  paths: string[];
  /** Glob for unusual layouts, relative to each directory. */
  pattern?: string;
  /** Read the paths as this layout instead of detecting one. */
  layout?: MigrationLayout;
  /** Migration sets already found (review): each one is a history of its own; `paths` then only locate the platform. */
  sets?: MigrationSet[];
  /** postgres:// URL: migrations run in a scratch database there; embedded PGlite when absent. */
  database?: string;
  /** Report only migrations changed since this git ref; earlier ones still build the catalog. */
  since?: string;
  /**
   * Keep the engine open after the history, holding the catalog it built, and return it (review runs
   * the schema and query rules on it): only when there is one history. The caller closes it.
   */
  keepEngine?: boolean;
  /**
   * Cache the embedded engine's state after the history's prefixes in `dir` (history-cache.ts); no cache
   * when absent. An entry is written only where the history up to it has `minStatements` statements or
   * more (default SAVE_FROM_STATEMENTS): a shorter one runs faster than it restores.
   */
  cache?: { dir: string; minStatements?: number };
  /** Up steps parsed already (review's schema inputs), by file: not parsed again. Same layouts only. */
  parsedUp?: Map<string, ParsedFile>;
  /** Report only these migration files; earlier ones still build the catalog. */
  only?: string[];
  /** Target PostgreSQL major version for version-aware rules (default: the server's, else 15). */
  pgVersion?: number;
  /** Parse-only: run the rules that need no catalog, execute nothing. */
  noExecute?: boolean;
  /** Rows to assume per table (`schema.table` or `table`). */
  assumeRows?: Record<string, number>;
  /** A live database whose reltuples size the findings. */
  statsFrom?: string;
  /** Findings on tables known to be smaller than this drop to info (default 10,000). */
  smallTableRows?: number;
  config?: Config;
  /** SQL applied before the first migration and never linted; adds to config.setup. */
  setup?: string[];
  rules?: MigrationRule[];
  progress?: (done: number, total: number) => void;
  /**
   * The runner that will apply them sets lock_timeout before each migration (pgarch migrate does): the
   * migrations need not set it themselves. Not part of the history cache's key: not given with `cache`.
   */
  lockTimeoutSet?: boolean;
  /**
   * The reported migrations are applied in one run (pgarch migrate up), with no release of the
   * application between them: what one creates is still new in the next, even when every migration is
   * reported. Not part of the history cache's key: not given with `cache`.
   */
  deployTogether?: boolean;
}

export interface MigrationLintResult {
  report: Report;
  migrations: Migration[];
  /** The folders linted, each as the layout it was read as. */
  sets: MigrationSet[];
  /** Where the time went: starting the engine vs parsing, linting and executing. */
  timings: { engineStartMs: number; lintMs: number };
  /** How many migrations were restored from the cache instead of run (over all histories). */
  restored: number;
  /** Rollbacks tested (down step, then up again: rollback-test.ts), by the migration's up file. */
  rollbacks: Map<string, RollbackTest>;
  /** Runtimes estimated at the known table sizes and at 10x (runtime-estimate.ts), by the migration's up file. */
  runtimes: Map<string, RuntimeEstimate[]>;
  /** With keepEngine and one history: the engine holding the catalog the history built, and what its environment made. */
  engine?: Engine;
  environment?: AppliedEnvironment;
}

/**
 * Migrations measured per run, the last reported ones: a rollback test costs the down and up steps again
 * and two schema reads, a runtime estimate seeds and times a sample (~0.5 s), and a review without
 * --since reports the whole history.
 */
export const MEASURED_MAX = 20;
/** Findings that say a step did not run as written: its rollback is not tested. */
const INPUT_FAILURES = new Set(['syntax-error', 'execution-error', 'not-executed', 'engine-failure']);

/** The PostgreSQL major version the rules assume when neither the config nor a server says. */
export const DEFAULT_PG_VERSION = 15;
// Statements on an existing table whose relfilenodes are compared before/after (rewrite detection).
const TRACED = new Set(['AlterTableStmt', 'ClusterStmt', 'VacuumStmt', 'ReindexStmt', 'RefreshMatViewStmt']);
// ALTER TABLE subcommands that never copy the table or its indexes: tracing them would only cost time.
const NEVER_REWRITES = new Set([
  'AT_ColumnDefault', 'AT_DropNotNull', 'AT_SetNotNull', 'AT_DropColumn', 'AT_AddConstraint', 'AT_ValidateConstraint',
  'AT_DropConstraint', 'AT_SetStatistics', 'AT_SetStorage', 'AT_SetCompression', 'AT_EnableRowSecurity',
  'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity', 'AT_EnableTrig', 'AT_DisableTrig',
  'AT_EnableTrigAll', 'AT_DisableTrigAll', 'AT_EnableTrigUser', 'AT_DisableTrigUser', 'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig', 'AT_EnableRule', 'AT_DisableRule', 'AT_ChangeOwner', 'AT_SetRelOptions', 'AT_ResetRelOptions',
  'AT_ReplicaIdentity', 'AT_AddInherit', 'AT_DropInherit', 'AT_AttachPartition', 'AT_DetachPartition', 'AT_ClusterOn',
  'AT_DropCluster', 'AT_AddIdentity', 'AT_SetIdentity', 'AT_DropIdentity', 'AT_DropExpression', 'AT_GenericOptions',
  'AT_AlterConstraint', 'AT_AddIndex', 'AT_AddIndexConstraint',
]);

/** Whether running the statement could copy an existing relation (so relfilenodes are compared). */
function mayRewrite(stmt: Statement): boolean {
  if (!TRACED.has(stmt.kind)) return false;
  if (stmt.kind !== 'AlterTableStmt') return true;
  return ((stmt.node as AnyNode).AlterTableStmt.cmds ?? []).some((c: AnyNode) => {
    const cmd = c.AlterTableCmd as AnyNode;
    if (cmd.subtype !== 'AT_AddColumn') return !NEVER_REWRITES.has(cmd.subtype);
    // ADD COLUMN copies the table only with a non-constant default (the engines here are PG 11+, which
    // store constant defaults of built-in types in the catalog), identity, or a stored generated value.
    const def = cmd.def?.ColumnDef as AnyNode | undefined;
    const typeName = (def?.typeName?.names ?? []).map((n: AnyNode) => n.String?.sval).pop();
    return (
      /serial/.test(typeName ?? '') ||
      (def?.constraints ?? []).some((k: AnyNode) => {
        const c = k.Constraint as AnyNode | undefined;
        if (c?.contype === 'CONSTR_DEFAULT') return !(isConstantExpression(c.raw_expr) && isBuiltinType(def!));
        return c?.contype === 'CONSTR_IDENTITY' || c?.contype === 'CONSTR_GENERATED';
      })
    );
  });
}

export async function lintMigrations(options: LintMigrationsOptions): Promise<MigrationLintResult> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  const sets = options.sets ?? findMigrationSets(options.paths, { layout: options.layout, pattern: options.pattern ?? config.migrationsPattern });
  const migrations = sets.flatMap((set) => set.migrations);
  const reported = reportedMigrations(migrations, options);
  await loadParser();

  const rowSources: RowSources = { assumeRows: { ...config.assumeRows, ...options.assumeRows } };
  if (options.statsFrom) rowSources.liveRows = await readLiveRows(options.statsFrom);

  // Each path the user named is part of one history; sets found by searching a folder (a monorepo's
  // services) are histories of their own, each on a scratch database of its own.
  const histories = !options.sets && sets.length === options.paths.length ? [sets] : sets.map((set) => [set]);
  const findings: Finding[] = [];
  const parsedAll: ParsedFile[] = [];
  let engineStartMs = 0;
  let restored = 0;
  const rollbacks = new Map<string, RollbackTest>();
  const runtimes = new Map<string, RuntimeEstimate[]>();
  let engine: Engine | undefined;
  let environment: AppliedEnvironment | undefined;
  const keepEngine = Boolean(options.keepEngine) && histories.length === 1;
  for (const history of histories) {
    const run = await lintHistory(history, reported, { ...options, config, rowSources, keepEngine });
    findings.push(...run.findings);
    parsedAll.push(...run.parsed);
    engineStartMs += run.engineStartMs;
    restored += run.restored;
    for (const [file, test] of run.rollbacks) rollbacks.set(file, test);
    for (const [file, estimates] of run.runtimes) runtimes.set(file, estimates);
    engine = run.engine;
    environment = run.environment;
  }

  const reportedParsed = parsedAll.filter((p, i) => reported.has(migrations[i]));
  const statements = reportedParsed.reduce((n, p) => n + p.statements.length, 0);
  const report = buildReport(findings, parsedAll, config, { files: reportedParsed.length, statements, started });
  return {
    report: { ...report, inputs: sets.map(describeSet) },
    migrations,
    sets,
    timings: { engineStartMs, lintMs: performance.now() - started - engineStartMs },
    restored,
    rollbacks,
    runtimes,
    ...(engine ? { engine, environment } : {}),
  };
}

/** One history on one engine: its environment, then its migrations in order, each checked before it runs. */
async function lintHistory(
  sets: MigrationSet[],
  reported: Set<Migration>,
  options: LintMigrationsOptions & { config: Config; rowSources: RowSources },
): Promise<{ findings: Finding[]; parsed: ParsedFile[]; engineStartMs: number; restored: number; rollbacks: Map<string, RollbackTest>; runtimes: Map<string, RuntimeEstimate[]>; engine?: Engine; environment?: AppliedEnvironment }> {
  const { config } = options;
  const migrations = sets.flatMap((set) => set.migrations);
  const parsed = migrations.map((m) => options.parsedUp?.get(m.file) ?? parseMigration(m));
  const findings: Finding[] = [];
  const anyReported = migrations.some((m) => reported.has(m));
  // A caller that keeps the engine (review) needs the catalog even when no migration is reported.
  if (!anyReported && !options.keepEngine) return { findings, parsed, engineStartMs: 0, restored: 0, rollbacks: new Map(), runtimes: new Map() };

  const setup = [...config.setup, ...sets.flatMap((set) => set.setup), ...(options.setup ?? [])];
  // The platform is detected from where the history's files are (a monorepo's Supabase service).
  const profile = resolveProfile(migrations.slice(0, 1).map((m) => m.file), config.profile);
  const bookkeeping = sets.flatMap((set) => (set.bookkeeping ? [{ tool: set.tool, sql: set.bookkeeping }] : []));
  const env = options.noExecute ? EMPTY_ENVIRONMENT : await loadEnvironment({ profile, setup, bookkeeping });
  const extensions = [...env.extensions, ...extensionsUsed(parsed)];
  const rules = (options.rules ?? migrationRules).filter((r) => config.rules[r.id] !== 'off');
  const partial = migrations.some((m) => !reported.has(m));
  // Each migration is a deployment, except that consecutive not-yet-deployed (reported) ones in
  // --since/--only mode deploy together: what one creates is still new in the next.
  const deploys = migrations.map((m, i) => !((partial || options.deployTogether) && i > 0 && reported.has(m) && reported.has(migrations[i - 1])));

  // The embedded engine's state after a prefix of the history may be on disk already (history-cache.ts).
  const cache = options.cache && !options.noExecute && !options.database && !options.lockTimeoutSet && !options.deployTogether ? new HistoryCache(options.cache.dir) : undefined;
  // Loaded only here: parse-only runs never load PGlite.
  const pglite = cache ? await import('../engine/pglite.js') : undefined;
  const keys = cache?.chain(
    { pgarch: VERSION, pglite: pglite!.pgliteVersion(), config, rows: options.rowSources, smallTableRows: options.smallTableRows, pgVersion: options.pgVersion, rules: rules.map((r) => r.id), env: env.files.map((f) => [f.file, f.text]), extensions },
    migrations,
    deploys,
  );
  const engineStarted = performance.now();
  let hit = cache && keys ? cache.lookup(keys) : undefined;
  let engine: Engine | undefined;
  while (hit && !engine) {
    try {
      engine = await pglite!.openPglite({ extensions, from: { file: hit.dataFile, digest: hit.entry.digest } });
    } catch (error) {
      if (!(error instanceof CorruptDataDirError)) throw error;
      // Damaged: removed (so it is saved anew), and a shorter prefix tried.
      cache!.remove(hit.entry.key);
      hit = cache!.lookup(keys!.slice(0, hit.entry.prefix - 1));
    }
  }
  engine ??= options.noExecute ? undefined : await openEngine({ database: options.database, scratch: true, extensions });
  const engineStartMs = performance.now() - engineStarted;
  let keep = false;
  let environment: AppliedEnvironment | undefined;
  const rollbacks = new Map<string, RollbackTest>();
  const runtimes = new Map<string, RuntimeEstimate[]>();
  try {
    const failures = new FailureGroups([...env.files, ...parsed], engine ?? { kind: 'pglite', description: 'parse only' });
    const ran: { environment: Finding[]; environmentObjects: string[]; migrations: Finding[][] } = { environment: hit?.entry.environment ?? [], environmentObjects: hit?.entry.environmentObjects ?? [], migrations: [] };
    if (engine && !hit) {
      const applied = await applyEnvironment(engine, env, failures);
      ran.environment = applied.findings;
      ran.environmentObjects = [...applied.objects];
    }
    findings.push(...ran.environment);
    const pgVersion = options.pgVersion ?? config.pgVersion ?? (engine?.kind === 'server' ? (await engine.version()).major : DEFAULT_PG_VERSION);
    const runner = new MigrationRunner({
      engine,
      failures,
      config,
      pgVersion,
      rules,
      view: engine ? new EngineCatalogView(engine, options.rowSources) : new ParseOnlyCatalogView(options.rowSources),
      smallTableRows: options.smallTableRows ?? config.smallTableRows,
      progress: options.progress,
      total: parsed.reduce((n, p) => n + p.statements.length, 0),
      lockTimeoutSet: options.lockTimeoutSet,
    });
    const restored = hit?.entry.prefix ?? 0;
    // Rollbacks are tested (down, then up again) for the last reported migrations that have a down step,
    // and runtimes estimated, where table sizes are known, for the last reported ones.
    const rollbackTested = new Set(migrations.filter((m) => reported.has(m) && m.down).slice(-MEASURED_MAX));
    const runtimeEstimated = new Set(migrations.filter((m) => reported.has(m)).slice(-MEASURED_MAX));
    for (const [file, test] of Object.entries(hit?.entry.rollbacks ?? {})) rollbacks.set(file, test);
    for (const [file, estimates] of Object.entries(hit?.entry.runtimes ?? {})) runtimes.set(file, estimates);
    let died = false;
    try {
      for (let i = 0; i < migrations.length; i++) {
        const isReported = reported.has(migrations[i]);
        let out: Finding[];
        if (i < restored) {
          out = hit!.entry.migrations[i];
          runner.skip(parsed[i].statements.length);
        } else {
          if (deploys[i]) runner.deploy();
          out = await runner.run(migrations[i], parsed[i], { estimateRuntimes: runtimeEstimated.has(migrations[i]) });
          const estimates = runner.takeEstimates();
          if (estimates.length) runtimes.set(migrations[i].file, estimates);
          // Only an up step that ran cleanly is rolled back and run again (what failed has its own findings).
          if (engine && rollbackTested.has(migrations[i]) && !out.some((f) => INPUT_FAILURES.has(f.rule)) && !parsed[i].findings.length) {
            const down = parseMigrationDown(migrations[i]);
            if (down?.statements.length) rollbacks.set(migrations[i].file, await runner.testRollback(parsed[i], down));
          }
        }
        ran.migrations.push(out);
        if (isReported) findings.push(...out, ...parsed[i].findings);
        // The state before the last migration (the one a pull request edits) and after it, when worth it.
        const prefix = i + 1;
        if (cache && keys && engine && prefix > restored && prefix >= migrations.length - 1 && !(prefix === migrations.length && prefix - restored === 1) && !failures.any) {
          const statements = [...env.files, ...parsed.slice(0, prefix)].reduce((n, p) => n + p.statements.length, 0);
          if (statements >= (options.cache?.minStatements ?? SAVE_FROM_STATEMENTS)) {
            const inPrefix = <T>(by: Map<string, T>) => Object.fromEntries(migrations.slice(0, prefix).flatMap((m) => (by.has(m.file) ? [[m.file, by.get(m.file)!]] : [])));
            await cache.save(engine, { key: keys[i], prefix, statements, environment: ran.environment, environmentObjects: ran.environmentObjects, migrations: ran.migrations.slice(), rollbacks: inPrefix(rollbacks), runtimes: inPrefix(runtimes) });
          }
        }
      }
      // PGlite shows a stack overflow on the call after the one that caused it: make that call here.
      if (engine?.kind === 'pglite') await engine.query('SELECT 1');
    } catch (error) {
      if (!(error instanceof EngineDiedError)) throw error;
      findings.push(runner.engineFailure(error));
      died = true;
    }
    failures.finish();
    blameCodeMigrations(findings, sets.flatMap((set) => set.skipped));
    keep = Boolean(options.keepEngine && engine && !died);
    if (keep) environment = { findings: ran.environment, objects: new Set(ran.environmentObjects), schemas: platformSchemas(env) };
  } finally {
    if (!keep) await engine?.close();
  }
  return { findings, parsed, engineStartMs, restored: hit?.entry.prefix ?? 0, rollbacks, runtimes, ...(keep ? { engine, environment } : {}) };
}

interface RunnerOptions {
  engine?: Engine;
  /** One finding per failure: what fails only because of an earlier failure is counted there. */
  failures: FailureGroups;
  config: Config;
  pgVersion: number;
  rules: MigrationRule[];
  view: EngineCatalogView | ParseOnlyCatalogView;
  smallTableRows: number;
  progress?: (done: number, total: number) => void;
  total: number;
  lockTimeoutSet?: boolean;
}

// Thousands of DDL statements leave dead catalog rows behind, and the embedded engine has no
// autovacuum: every catalog lookup (the engine's own and pgarch's) slows down. Measured on a 9,000-
// statement directory: vacuuming the busiest catalogs every 1,000 statements makes the run ~20% faster.
const CATALOG_VACUUM_EVERY = 1000;
const CATALOG_VACUUM = 'VACUUM pg_attribute, pg_class, pg_depend, pg_type, pg_constraint, pg_index, pg_attrdef, pg_description, pg_rewrite, pg_proc';

// Rules whose error says why PostgreSQL will refuse the statement: their finding replaces the
// execution-error (any other error finding leaves PostgreSQL's own message in place).
const PREDICTS_FAILURE = new Set(['concurrently-in-transaction', 'add-enum-value-in-transaction']);

/**
 * Statements sent to the engine together (one round trip, in one transaction) when nothing reads the
 * catalog between them: kinds that behave the same inside a transaction block as outside it (not
 * CONCURRENTLY, VACUUM, LOCK, SET LOCAL, DO, ALTER TYPE … ADD VALUE…). A batch that fails is rolled
 * back and its statements run again one at a time, rules and all, so every finding (an execution-error
 * at its token, what later statements see) is exactly what running them one by one gives.
 */
const BATCHABLE = new Set([
  'CreateStmt', 'IndexStmt', 'CommentStmt', 'ViewStmt', 'CreateFunctionStmt', 'CreateSeqStmt', 'AlterSeqStmt', 'CreateTrigStmt',
  'CreatePolicyStmt', 'AlterPolicyStmt', 'GrantStmt', 'CreateEnumStmt', 'CompositeTypeStmt', 'CreateDomainStmt', 'AlterDomainStmt',
  'AlterTableStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'RenameStmt', 'VariableSetStmt', 'DropStmt', 'AlterOwnerStmt', 'RuleStmt',
]);
const MAX_BATCH = 100;
const MIN_BACKOFF = 16;
const MAX_BACKOFF = 1024;
const BATCH_SAVEPOINT = 'pgarch_batch_savepoint';

function batchable(stmt: Statement): boolean {
  if (!BATCHABLE.has(stmt.kind)) return false;
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  if (node.concurrent) return false; // CREATE / DROP INDEX CONCURRENTLY
  // A temporary table dropped at commit would outlive its statement inside a batch.
  if (node.oncommit === 'ONCOMMIT_DROP') return false;
  // SET LOCAL and SET TRANSACTION act on the transaction; default_transaction_* only on the next one.
  if (stmt.kind === 'VariableSetStmt') {
    return !node.is_local && ['VAR_SET_VALUE', 'VAR_SET_DEFAULT', 'VAR_RESET'].includes(node.kind) && !/^(default_)?transaction_/.test(node.name ?? '');
  }
  if (stmt.kind === 'AlterTableStmt') return !(node.cmds ?? []).some((c: AnyNode) => String(c.AlterTableCmd?.subtype).startsWith('AT_DetachPartition'));
  return true;
}

/** A batch failed: the runner goes back to its first statement and runs them one at a time. */
class BatchFailed extends Error {}

/** Where a file's run stood before the first statement of the pending batch. */
interface Checkpoint {
  index: number;
  tx: TransactionState;
  aborted: boolean;
  findings: number;
  executed: number;
  /** The view's mark (tables it learned were created since). */
  view: number;
}

interface FileState {
  file: ParsedFile;
  meta: { id: string; file: string; noTransaction: boolean };
  runnerTransaction: boolean;
  tx: TransactionState;
  aborted: boolean;
  findings: Finding[];
  /** The engine's transaction state may differ from tx (COMMIT AND CHAIN, a failed COMMIT): batch no more. */
  unsure: boolean;
  /**
   * The transaction the migration's tool wraps it in is open on the engine (from the file's start until
   * its end, or until the file's own COMMIT ends it, as it would end the tool's).
   */
  toolTransaction: boolean;
  /** The failure that aborted the block, whose rollback undoes what the block made. */
  abortedBy?: Failure;
  /** Number of the transaction block the engine is in (the tool's is the first). */
  block: number;
  /** Estimate the runtime of its statements that go through every row of a sized table. */
  estimate: boolean;
}

/** Whether the engine is inside a transaction block while the file runs (the tool's, or the file's own). */
const inBlock = (s: FileState) => s.toolTransaction || s.tx.explicit;
/** Where a rule finding folds with the others of its rule: its transaction block, or the file outside any. */
const scopeOf = (s: FileState) => (inBlock(s) ? `block ${s.block}` : 'file');

// Inside a block a failure aborts the whole block; each statement runs behind a savepoint so that one
// that fails only here (an extension the engine lacks) does not take the rest of the block with it.
const STATEMENT_SAVEPOINT = 'pgarch_statement';
const SAVEPOINT_PREFIX = `SAVEPOINT ${STATEMENT_SAVEPOINT};\n`;

const copyTx = (tx: TransactionState): TransactionState => ({ ...tx, emptied: [...tx.emptied], exclusiveLock: tx.exclusiveLock && { ...tx.exclusiveLock } });

/**
 * Applies migrations one statement at a time, checking rules before and after each. The engine gets
 * them in batches when it can (see BATCHABLE): every catalog read sends the pending ones first, so what
 * each rule sees is the catalog right before its statement.
 */
export class MigrationRunner {
  private done = 0;
  private executed = 0;
  /** The user statements the engine last ran without error (one, or a batch): where a delayed engine death points. */
  private lastRan?: { file: ParsedFile; from: number; to: number };
  /** The statement being stepped through. */
  private current?: { file: ParsedFile; index: number };
  /** The user statements being sent (one, or a batch): where an engine death that is not delayed points. */
  private inFlight?: { file: ParsedFile; from: number; to: number };
  private readonly byKind = new Map<string, MigrationRule[]>();
  /** Statements run for the rules' purposes but not yet sent to the engine. */
  private pending: string[] = [];
  private batch?: { from: Checkpoint; last: number; explicit: boolean };
  private failed?: { from: Checkpoint; last: number };
  /** Statements run one at a time after a failed batch, before batching again. */
  private backoff = MIN_BACKOFF;
  /** Runtime estimates of the migration being run. */
  private readonly estimates: RuntimeEstimate[] = [];
  /** The scope (transaction block, or file) each rule finding was made in: see fold.ts. */
  private readonly scopes = new WeakMap<Finding, string>();

  constructor(private readonly o: RunnerOptions) {
    // Whatever reads the catalog first sends the pending statements.
    if (o.view instanceof EngineCatalogView) o.view.beforeQuery = () => this.flush();
  }

  deploy(): void {
    this.o.view.deploy();
  }

  /** The estimates of the migration run last (see run's estimateRuntimes), handed over once. */
  takeEstimates(): RuntimeEstimate[] {
    return this.estimates.splice(0);
  }

  /** Time the statement on a sample of its existing tables' known sizes, before it runs (runtime-estimate.ts). */
  private async estimate(stmt: Statement): Promise<void> {
    const { view } = this.o;
    const tables = (await this.existingTables(stmt)).flatMap((t) => {
      const rows = view.rows(t);
      return rows === undefined ? [] : [{ schema: t.schema, name: t.name, rows }];
    });
    if (!tables.length) return;
    const found = await estimateRuntime(this.o.engine!, stmt, tables);
    if (found) this.estimates.push(found);
  }

  /** Its down step and its up step again, right after the up step ran (rollback-test.ts). */
  async testRollback(up: ParsedFile, down: ParsedFile): Promise<RollbackTest> {
    await this.flush();
    const test = await testRollback(this.o.engine!, up, down);
    // Run for real: the relations are new ones (OIDs, relfilenodes) under the same names.
    if (test.engineLeft === 'rerun') this.o.view.invalidate?.();
    return test;
  }

  /** A migration restored from the cache instead of run: its statements count as done. */
  skip(statements: number): void {
    this.done += statements;
    if (statements) this.o.progress?.(this.done, this.o.total);
  }

  async run(migration: Migration, file: ParsedFile, options: { estimateRuntimes?: boolean } = {}): Promise<Finding[]> {
    const { engine, config, view } = this.o;
    // Session-local helper functions, made while no migration's transaction is open.
    // (Should that fail, the reads that need them fail too, and become rule-error findings.)
    if (engine && view instanceof EngineCatalogView) await Promise.all([view.prepare(), prepareRelfilenodes(engine)]).catch(() => {});
    const tool = runnerTransaction(migration, file.statements, config.assumeInTransaction, file.directives.flags.includes('no-transaction'));
    const noTransaction = tool.noTransaction !== undefined;
    const wrapped = tool.wrapped;
    const s: FileState = {
      file,
      meta: { id: migration.id, file: migration.file, noTransaction },
      runnerTransaction: wrapped,
      tx: { inTransaction: wrapped, explicit: false, lockTimeout: this.o.lockTimeoutSet ?? false, ddlInTransaction: false, emptied: [], utcSession: false, utcLocal: false },
      aborted: false,
      findings: [],
      unsure: false,
      toolTransaction: false,
      block: wrapped ? 1 : 0,
      estimate: Boolean(options.estimateRuntimes && engine),
    };
    // Run the file as its tool does: inside the transaction it opens (so LOCK, SET LOCAL and CONCURRENTLY
    // behave as they will in production).
    if (engine && wrapped) {
      await engine.exec('BEGIN');
      s.toolTransaction = true;
    }
    let i = 0;
    let progressed = -1;
    let replayUntil = -1;
    for (;;) {
      try {
        for (; i < file.statements.length; i++) {
          // Statements run again after a failed batch were counted already.
          if (i > progressed) {
            progressed = i;
            this.done++;
            this.o.progress?.(this.done, this.o.total);
          }
          this.current = { file, index: i };
          // Synchronous unless a rule, the engine or the lock tracking needs to wait: no promise per statement.
          const stepped = this.step(file.statements[i], i, s, i > replayUntil);
          if (stepped) await stepped;
        }
        await this.flush();
        break;
      } catch (error) {
        if (!(error instanceof BatchFailed) || !this.failed) throw error;
        // Back to before the batch: its statements run again one at a time, and find the failing one.
        const { from, last } = this.failed;
        this.failed = undefined;
        Object.assign(s.tx, from.tx);
        s.aborted = from.aborted;
        s.findings.length = from.findings;
        this.executed = from.executed;
        this.o.view.rollback(from.view);
        i = from.index;
        // Errors come in runs (a missing table fails every statement naming it): batch again only after
        // a while, longer after each failure.
        replayUntil = last + this.backoff;
        this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF);
      }
    }

    const { tx, meta, findings } = s;
    // What an inline directive ignores goes first: it must not take the statements folded into it along.
    dropIgnored(findings, file);
    foldPerScope(findings, (f) => this.scopes.get(f));
    const fileCtx = { file, migration: { ...meta, layout: migration.layout, downText: migration.down?.text.slice(migration.down.start, migration.down.end) }, tx, config };
    for (const rule of this.o.rules) if (rule.checkFile) findings.push(...rule.checkFile(fileCtx));
    // A file that leaves its own transaction open ends like a psql session: rolled back. The tool's
    // transaction commits, unless a failure aborted it.
    if (engine && tx.explicit) await engine.exec('ROLLBACK').catch(() => {});
    else if (engine && s.toolTransaction) await engine.exec(s.aborted ? 'ROLLBACK' : 'COMMIT').catch(() => {});
    // What the aborted block created is gone: later "does not exist" errors come from its failure.
    if (s.abortedBy) this.o.failures.rolledBack(s.abortedBy, file.statements);
    return findings;
  }

  /**
   * One statement: its rules, then the engine (now, or with the next batch), then what it changed.
   * Synchronous (returns undefined) as long as nothing it does has to wait: parse-only mode with
   * synchronous rules never makes a promise.
   */
  private step(stmt: Statement, index: number, s: FileState, batching: boolean): Promise<void> | undefined {
    const { engine, view, config } = this.o;
    const { file, tx } = s;
    // A batch may start here: remember where, to come back if it fails (batches need an engine).
    if (!this.pending.length) view.checkpoint();
    const at: Checkpoint | undefined = engine
      ? { index, tx: copyTx(tx), aborted: s.aborted, findings: s.findings.length, executed: this.executed, view: view.mark() }
      : undefined;
    const control = transactionControl(stmt);
    if (s.aborted && control !== 'end') return undefined;

    // Only rules that can speak here: no context is built (and no tree read) for a statement none of them cares about.
    let rules = this.rulesFor(stmt);
    if (rules.length) {
      const relation = (stmt.node as AnyNode)[stmt.kind]?.relation as RangeVar | undefined;
      const onNewTable = Boolean(relation?.relname && view.isNewName(relation));
      rules = rules.filter((r) => !(onNewTable && r.onlyExistingTables) && (!r.when || r.when(tx)));
    }
    const ctx: MigrationRuleContext | undefined = rules.length
      ? {
          stmt,
          node: (stmt.node as AnyNode)[stmt.kind] as AnyNode,
          file,
          migration: s.meta,
          before: view,
          tx: copyTx(tx),
          pgVersion: this.o.pgVersion,
          config,
          locate: (location) => file.locate(stmt, location),
          locateCommand: (index) => {
            const start = alterCommandStarts(stmt)[index];
            return start === undefined ? file.locate(stmt, undefined) : errorLocation(file, stmt, start + 1);
          },
          sized: (table, severity) => this.sized(table, severity),
        }
      : undefined;
    const before: Finding[] = [];
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      const out = guarded(rule, ctx!, () => rule.check(ctx!));
      // A rule that waits: the remaining ones run after it, in order, and so does the rest of the step.
      if (!Array.isArray(out)) return this.checkRest(out, r, rules, ctx!, before).then(() => this.afterRules(stmt, s, batching, at, control, rules, ctx, before));
      before.push(...out);
      // A rule that read the catalog sent the pending batch; if it failed, start over from the batch.
      if (this.failed) throw new BatchFailed();
    }
    return this.afterRules(stmt, s, batching, at, control, rules, ctx, before);
  }

  /** The rules after one that returned a promise (see step). */
  private async checkRest(first: Promise<Finding[]>, from: number, rules: MigrationRule[], ctx: MigrationRuleContext, before: Finding[]): Promise<void> {
    before.push(...(await first));
    if (this.failed) throw new BatchFailed();
    for (let r = from + 1; r < rules.length; r++) {
      const rule = rules[r];
      const out = guarded(rule, ctx, () => rule.check(ctx));
      before.push(...(Array.isArray(out) ? out : await out));
      if (this.failed) throw new BatchFailed();
    }
  }

  /** What follows the rules: execution (with an engine), then tracking what the statement changed. */
  private afterRules(
    stmt: Statement,
    s: FileState,
    batching: boolean,
    at: Checkpoint | undefined,
    control: 'begin' | 'end' | undefined,
    rules: MigrationRule[],
    ctx: MigrationRuleContext | undefined,
    before: Finding[],
  ): Promise<void> | undefined {
    s.findings.push(...before);
    for (const f of before) this.scopes.set(f, scopeOf(s));
    // A BEGIN outside a block opens a new one (inside one, PostgreSQL only warns).
    if (control === 'begin' && !inBlock(s)) s.block++;
    if (this.o.engine) return this.execute(stmt, s, batching, at!, control, rules, ctx, before);
    // Parse-only: nothing runs and nothing is batched (no vacuum, no flush); the same tracking as below.
    this.trackNames(stmt);
    const advanced = this.advance(s.tx, stmt, control);
    if (advanced) {
      return advanced.then(() => {
        if (control === 'end') s.aborted = false;
      });
    }
    if (control === 'end') s.aborted = false;
    return undefined;
  }

  /** With an engine: run the statement (now, or with the next batch), its afterExecute rules, then what it changed. */
  private async execute(
    stmt: Statement,
    s: FileState,
    batching: boolean,
    at: Checkpoint,
    control: 'begin' | 'end' | undefined,
    rules: MigrationRule[],
    ctx: MigrationRuleContext | undefined,
    before: Finding[],
  ): Promise<void> {
    const engine = this.o.engine!;
    const { view } = this.o;
    const { file, tx, findings } = s;
    if (!isCopyFromStdin(stmt)) {
      // Rewrites are measured only when a rule's afterExecute could still report one.
      const measured = mayRewrite(stmt) && rules.some((r) => r.afterExecute && (!r.measuresRewrite || r.measuresRewrite(ctx!, before)));
      let rewritten: string[] = [];
      // A statement that goes through every row of an existing table, sized: timed on a sample first (never batched).
      const estimating = s.estimate && before.some((f) => FULL_PASS_RULES.has(f.rule) && f.severity !== 'info');
      if (batching && !measured && !estimating && !s.unsure && control === undefined && batchable(stmt)) {
        // Run with the next batch; until then the rules of later statements see what it will have done.
        if (!this.pending.length) this.batch = { from: at, last: at.index, explicit: inBlock(s) };
        this.pending.push(textToRun(stmt));
        this.batch!.last = at.index;
      } else {
        await this.flush();
        if (estimating && !s.aborted) await this.estimate(stmt);
        const traced = measured ? await this.existingTables(stmt) : [];
        const nodesBefore = traced.length ? await relfilenodes(engine, traced) : undefined;
        // In a block the statement runs behind a savepoint (not a transaction statement: it moves savepoints
        // itself). An aborted block's COMMIT rolls it back, as PostgreSQL's does.
        const guarded = inBlock(s) && stmt.kind !== 'TransactionStmt';
        const sql = s.aborted && control === 'end' ? 'ROLLBACK' : guarded ? `${SAVEPOINT_PREFIX}${textToRun(stmt)}\n;\nRELEASE SAVEPOINT ${STATEMENT_SAVEPOINT}` : textToRun(stmt);
        try {
          this.inFlight = { file: s.file, from: at.index, to: at.index };
          await engine.exec(sql);
          this.lastRan = this.inFlight;
          this.inFlight = undefined;
        } catch (error) {
          if (isFatalEngineError(error)) throw error;
          const e = guarded ? shiftedError(error, SAVEPOINT_PREFIX.length) : toEngineError(error);
          if (guarded) await engine.exec(`ROLLBACK TO SAVEPOINT ${STATEMENT_SAVEPOINT}; RELEASE SAVEPOINT ${STATEMENT_SAVEPOINT}`).catch(() => {});
          // A rule that predicted this failure (e.g. CONCURRENTLY in a transaction) explains it better.
          const predicted = before.some((f) => PREDICTS_FAILURE.has(f.rule));
          // A statement that fails in production too changes nothing there: what rules said about its
          // locks and rewrites is moot. One that failed only here (a missing extension) would run there.
          const failure = predicted ? { environmental: false } : this.o.failures.failed(stmt, e, executionErrorFinding(file, stmt, e, 'The statement failed against the catalog built by the migrations before it; later statements may fail because of it.'));
          if (!predicted && !failure.environmental) removeAll(findings, before);
          if ('finding' in failure && failure.finding) findings.push(failure.finding);
          if (control === 'end') {
            tx.inTransaction = s.runnerTransaction;
            s.toolTransaction = false;
          }
          // In a block, a real failure aborts it until its end, as in PostgreSQL; one that happened only here
          // (rolled back to its savepoint) does not.
          else if (inBlock(s) && !failure.environmental) {
            s.aborted = true;
            s.abortedBy = failure;
          }
          // A failed transaction statement (a COMMIT that failed ends the transaction) leaves the engine's
          // transaction state unsure here: no more batches in this file.
          if (stmt.kind === 'TransactionStmt') s.unsure = true;
          view.invalidate(touchedRelations(stmt));
          // What the migration meant to create is still new in it (e.g. a CREATE TABLE whose foreign key
          // names a table from outside the given migrations): never report lock risks on it.
          this.trackCreated(stmt);
          return;
        }
        if (nodesBefore) rewritten = changedRelations(nodesBefore, await relfilenodes(engine, traced));
        // COMMIT AND CHAIN opens a transaction the runner does not track.
        if ((stmt.node as AnyNode).TransactionStmt?.chain) s.unsure = true;
      }
      if (ctx) {
        for (const rule of rules) {
          if (!rule.afterExecute) continue;
          const out = guarded(rule, ctx, () => rule.afterExecute!({ ...ctx, rewritten, reported: before }));
          for (const f of Array.isArray(out) ? out : await out) {
            this.scopes.set(f, scopeOf(s));
            findings.push(f);
          }
        }
      }
      view.invalidate(touchedRelations(stmt));
    }
    this.trackNames(stmt);
    // A file's own COMMIT or ROLLBACK ends the tool's transaction too.
    if (control === 'end') s.toolTransaction = false;
    if (engine.kind === 'pglite' && ++this.executed % CATALOG_VACUUM_EVERY === 0 && !inBlock(s) && control === undefined) {
      await this.flush();
      await engine.exec(CATALOG_VACUUM).catch(() => {});
    }
    // Usually synchronous: only a statement that may take ACCESS EXCLUSIVE inside a transaction needs the catalog.
    const advanced = this.advance(tx, stmt, control);
    if (advanced) await advanced;
    if (control === 'end') s.aborted = false;
    if (this.pending.length >= MAX_BATCH) await this.flush();
  }

  /** The engine died: an engine-failure finding at the statement that killed it (see engine-failure.ts). */
  engineFailure(died: EngineDiedError): Finding {
    const current = this.current && { file: this.current.file, from: this.current.index, to: this.current.index };
    const at = (died.delayed ? this.lastRan : this.inFlight) ?? current;
    if (!at) return engineFailureOutsideStatements(`The embedded engine (PGlite) aborted (${died.message}) before any migration ran`);
    const { file, from, to } = at;
    // Stepped through after the culprit (a batch runs when a later statement needs it): not checked either.
    const unchecked = this.o.total - this.done + (current && current.file === file ? current.from - to : 0);
    const lines = { from: file.statements[from].line, to: file.statements[to].line };
    return engineFailureFinding(file, file.statements[from], died, Math.max(0, unchecked), lines);
  }

  /** Send the pending statements: one round trip, rolled back as a whole when one fails. */
  private async flush(): Promise<void> {
    if (!this.pending.length || !this.o.engine) return;
    const { engine } = this.o;
    const batch = this.batch!;
    const body = this.pending.join('\n;\n');
    this.pending = [];
    this.batch = undefined;
    try {
      if (this.current) this.inFlight = { file: this.current.file, from: batch.from.index, to: batch.last };
      // Several statements in one query string run as one (implicit) transaction; inside the file's own
      // transaction a savepoint takes the place of that.
      if (batch.explicit) await engine.exec(`SAVEPOINT ${BATCH_SAVEPOINT};\n${body}\n;\nRELEASE SAVEPOINT ${BATCH_SAVEPOINT}`);
      else await engine.exec(body);
      this.backoff = MIN_BACKOFF;
      this.lastRan = this.inFlight;
      this.inFlight = undefined;
    } catch (error) {
      if (isFatalEngineError(error)) throw error;
      if (batch.explicit) await engine.exec(`ROLLBACK TO SAVEPOINT ${BATCH_SAVEPOINT}; RELEASE SAVEPOINT ${BATCH_SAVEPOINT}`).catch(() => {});
      this.failed = { from: batch.from, last: batch.last };
      throw new BatchFailed();
    }
  }

  /** New tables are known from the parse tree: created (or renamed) in this deployment. */
  /** What a statement did to names: tables it created are new; names it created, dropped or renamed are re-resolved. */
  private trackNames(stmt: Statement): void {
    this.trackCreated(stmt);
    const renamed = changedNames(stmt);
    if (!renamed || renamed.length) this.o.view.forgetNames(renamed);
  }

  private trackCreated(stmt: Statement): void {
    const created = createdTable(stmt);
    if (created) this.o.view.markCreated(created);
    const rename = (stmt.node as AnyNode).RenameStmt as AnyNode | undefined;
    if (rename?.renameType === 'OBJECT_TABLE' && rename.relation) this.o.view.renamed(rename.relation, rename.newname);
  }

  private rulesFor(stmt: Statement): MigrationRule[] {
    let rules = this.byKind.get(stmt.kind);
    if (!rules) this.byKind.set(stmt.kind, (rules = this.o.rules.filter((r) => !r.kinds || r.kinds.includes(stmt.kind))));
    if (stmt.kind !== 'AlterTableStmt') return rules;
    // Most ALTER TABLE rules care about one subcommand: skip the others without calling them.
    const subtypes = ((stmt.node as AnyNode).AlterTableStmt.cmds ?? []).map((c: AnyNode) => c.AlterTableCmd?.subtype as string);
    return rules.filter((r) => !r.alterSubtypes || r.alterSubtypes.some((t) => subtypes.includes(t)));
  }

  private sized(table: TableRef, severity: Severity): Severity {
    const rows = this.o.view.rows(table);
    return rows !== undefined && rows < this.o.smallTableRows ? 'info' : severity;
  }

  /** Existing (not new) tables a traced statement names, resolved before it runs. */
  private async existingTables(stmt: Statement): Promise<TableRef[]> {
    const oids: TableRef[] = [];
    for (const rv of touchedRelations(stmt) ?? []) {
      if (this.o.view.isNewName(rv)) continue;
      const ref = await this.o.view.ref(rv);
      if (ref && !this.o.view.isNew(ref)) oids.push(ref);
    }
    return oids;
  }

  /** Track the transaction and lock state the next statement runs in. */
  private advance(tx: TransactionState, stmt: Statement, control: 'begin' | 'end' | undefined): Promise<void> | undefined {
    if (control === 'begin' || control === 'end') {
      // A runner-managed transaction does not reopen after an explicit COMMIT inside the file.
      tx.inTransaction = control === 'begin';
      tx.explicit = control === 'begin';
      tx.ddlInTransaction = false;
      tx.exclusiveLock = undefined;
      tx.emptied = [];
      tx.utcLocal = false;
      return undefined;
    }
    if (setsLockTimeout(stmt)) tx.lockTimeout = true;
    const zone = timeZoneSet(stmt);
    if (zone?.local) tx.utcLocal = tx.inTransaction && zone.zone === 'utc';
    else if (zone) tx.utcSession = zone.zone === 'utc';
    if (!tx.inTransaction) return undefined;
    // Emptied inside this transaction, the table is empty for it (TRUNCATE's lock keeps writers out; a row
    // another session inserts after a DELETE makes the later ALTER fail, as it would in production).
    tx.emptied.push(...emptiedTables(stmt));
    if (isDdl(stmt)) tx.ddlInTransaction = true;
    if (tx.exclusiveLock) {
      const lock = tx.exclusiveLock;
      if (!keepsHoldBrief(stmt, lock.ref)) lock.followers++;
      const rename = (stmt.node as AnyNode).RenameStmt as AnyNode | undefined;
      if (rename?.renameType === 'OBJECT_TABLE' && rename.relation?.relname === lock.ref.name) lock.ref = { ...lock.ref, name: String(rename.newname) };
      return undefined;
    }
    if (documentedLock(stmt.node as AnyNode, stmt.kind) !== 'AccessExclusiveLock') return undefined;
    const rv = firstRelation(stmt);
    if (!rv || this.o.view.isNewName(rv)) return undefined;
    return this.o.view.ref(rv).then((table) => {
      if (!table || this.o.view.isNew(table)) return;
      // Locked by its own RENAME TO: later statements name it by the new name.
      const rename = (stmt.node as AnyNode).RenameStmt as AnyNode | undefined;
      const name = rename?.renameType === 'OBJECT_TABLE' ? String(rename.newname) : table.name;
      tx.exclusiveLock = { table: `${table.schema}.${table.name}`, ref: { schema: table.schema, name }, line: stmt.line, followers: 0 };
    });
  }

}

/**
 * A rule that throws must not end the lint: its failure becomes a finding at the statement (with the
 * rule's id in the message), and every other rule and statement still runs.
 */
function guarded(rule: MigrationRule, ctx: MigrationRuleContext, run: () => Finding[] | Promise<Finding[]>): Finding[] | Promise<Finding[]> {
  const failed = (error: unknown): Finding[] => [
    {
      rule: 'rule-error',
      severity: 'warning',
      message: `pgarch's rule ${rule.id} failed on this statement (${(error as Error).message}); the statement was not checked by it`,
      location: ctx.locate(),
      hint: 'Please report this with the statement; silence it with -- pgarch-ignore rule-error meanwhile.',
    },
  ];
  // A failed batch is not the rule's failure: it goes up to the runner, which starts the batch over.
  const failedUnlessBatch = (error: unknown): Finding[] => {
    if (error instanceof BatchFailed || isFatalEngineError(error)) throw error;
    return failed(error);
  };
  try {
    const out = run();
    // Synchronous rules stay synchronous: no promise per rule per statement on the hot path.
    return Array.isArray(out) ? out : out.catch(failedUnlessBatch);
  } catch (error) {
    return failedUnlessBatch(error);
  }
}

function removeAll(findings: Finding[], remove: Finding[]): void {
  if (!remove.length) return;
  const gone = new Set(remove);
  for (let i = findings.length - 1; i >= 0; i--) if (gone.has(findings[i])) findings.splice(i, 1);
}

function firstRelation(stmt: Statement): RangeVar | undefined {
  return touchedRelations(stmt)?.[0];
}

// Session-local and plpgsql, so its plans are kept (generic ones, see TABLE_READER_FUNCTION) between
// the thousands of calls a directory makes. Step by step rather than one recursive query: the same
// index lookups, without the recursive CTE's machinery that made it cost five times as much.
const RELFILENODES_FUNCTION = `
create or replace function pg_temp.pgarch_relfilenodes(schemas text[], names text[]) returns json language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
declare
  result json;
  oids oid[];
  parents oid[];
begin
  select array_agg(to_regclass(format('%I.%I', s, n))::oid) into oids from unnest(schemas, names) q(s, n);
  -- A partitioned table has no storage of its own (relfilenode 0): its partitions are what gets rewritten.
  parents := oids;
  loop
    select array_agg(i.inhrelid) into parents from pg_inherits i where i.inhparent = any(parents);
    exit when parents is null;
    oids := oids || parents;
  end loop;
  -- The tables and their indexes.
  select json_object_agg(n.nspname || '.' || c.relname, c.relfilenode::int8) into result
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.oid = any(oids || array(select i.indexrelid from pg_index i where i.indrelid = any(oids)));
  return result;
end $fn$`;

const relfilenodeReady = new WeakMap<Engine, Promise<void>>();

/** Create the function; the runner does it before any migration runs (see EngineCatalogView.prepare). */
function prepareRelfilenodes(engine: Engine): Promise<void> {
  if (!relfilenodeReady.has(engine)) relfilenodeReady.set(engine, engine.exec(RELFILENODES_FUNCTION));
  return relfilenodeReady.get(engine)!;
}

async function relfilenodes(engine: Engine, tables: TableRef[]): Promise<Map<string, number>> {
  await prepareRelfilenodes(engine);
  const { rows } = await engine.query<{ nodes: Record<string, number> | null }>('select pg_temp.pgarch_relfilenodes($1::text[], $2::text[]) as nodes', [
    tables.map((t) => t.schema),
    tables.map((t) => t.name),
  ]);
  return new Map(Object.entries(rows[0]?.nodes ?? {}));
}

function changedRelations(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...before].filter(([name, node]) => after.has(name) && after.get(name) !== node).map(([name]) => name);
}


/** The migrations to report: all, or those changed since a git ref, or named by --only. */
export function reportedMigrations(migrations: Migration[], options: Pick<LintMigrationsOptions, 'only' | 'since'>): Set<Migration> {
  if (options.only?.length) {
    const wanted = new Set(options.only.map((f) => resolve(f)));
    const picked = migrations.filter((m) => wanted.has(resolve(m.file)));
    if (picked.length !== wanted.size) throw new InputError(`--only names a file that is not one of the migrations: ${options.only.join(', ')}`);
    return new Set(picked);
  }
  if (options.since) {
    const changed = changedFiles(options.since, migrations.map((m) => m.file));
    return new Set(migrations.filter((m) => changed.has(resolve(m.file))));
  }
  return new Set(migrations);
}

/** Files changed since a git ref (committed, staged, unstaged) plus untracked ones. */
function changedFiles(ref: string, files: string[]): Set<string> {
  if (files.length === 0) return new Set();
  const cwd = dirname(resolve(files[0]));
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
      throw new InputError(`--since ${ref}: ${stderr || 'git failed'}`);
    }
  };
  const top = git(['rev-parse', '--show-toplevel']).trim();
  const names = [...git(['diff', '--name-only', ref, '--', '.']).split('\n'), ...git(['ls-files', '--others', '--exclude-standard', '--full-name', '--', '.']).split('\n')];
  return new Set(names.filter(Boolean).map((n) => resolve(top, n)));
}

/** reltuples of every user table in a live database, read-only. */
async function readLiveRows(url: string): Promise<Record<string, number>> {
  const engine = await openEngine({ database: url, readOnly: true });
  try {
    const { rows } = await engine.query<{ name: string; rows: number }>(
      `select n.nspname || '.' || c.relname as name, greatest(c.reltuples, 0)::float8 as rows
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.rows]));
  } finally {
    await engine.close();
  }
}
