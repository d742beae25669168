// The commands' definitions load nothing but commander and cli/common: what a command runs is
// imported in its action, so `pgarch --help` and a parse-only lint do not load the engines (PGlite,
// pg) and the other commands' code (~400 ms before the first statement).
import { Command, InvalidArgumentError, Option } from 'commander';
import { baselineWasmForSmallInput } from './baseline-wasm.js';
import {
  addCacheOptions,
  resolveCache,
  type CacheOptions,
  addCommonOptions,
  addEnvironmentOptions,
  addLayoutOptions,
  collect,
  pgMajor,
  wholeNumber,
  emitReport,
  requireInput,
  EXIT_USAGE,
  progressReporter,
  readConfig,
  resolveDatabase,
  runCommand,
  withEnvironment,
  type CommonOptions,
  type EnvironmentOptions,
  type LayoutOptions,
} from './common.js';
import { lintQueriesCommand } from './lint-queries.js';

export function lintCommand(): Command {
  const lint = new Command('lint').description('lint schemas, migrations and queries');
  lint.addCommand(lintSchemaCommand());
  lint.addCommand(lintMigrationsCommand());
  lint.addCommand(lintQueriesCommand(collectRows));
  return lint;
}

function lintSchemaCommand(): Command {
  const cmd = new Command('schema')
    .description('schema rules on the catalog built from SQL files, or read from a live database')
    .argument('[paths...]', 'SQL files or directories (applied in order)')
    .option('--live', 'with --database and paths: lint the database as it is; the files only locate objects')
    .option('--exposed-schema <name>', 'a schema clients can reach (repeatable; default public)', collect)
    .option('--sample <rows>', 'rows sampled per table by data rules such as functional-dependency (default 100000)', wholeNumber)
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch lint schema examples/shop                     # embedded PGlite, no server needed
  $ pgarch lint schema db/migrations --format sarif -o pgarch.sarif
  $ pgarch lint schema db/schema.sql --database postgres://localhost/app   # applied in a scratch database
  $ pgarch lint schema --database postgres://localhost/app                 # live catalog, read-only
  $ pgarch lint schema db/migrations --database postgres://localhost/app --live
  $ pgarch lint schema supabase/migrations --profile supabase          # + RLS rules for exposed schemas

Exit codes: 0 no errors, 1 error findings (or more warnings than --max-warnings), 2 usage/input/connection error.`,
    );
  addEnvironmentOptions(addCommonOptions(cmd));
  cmd.action((paths: string[], opts: CommonOptions & EnvironmentOptions & { live?: boolean; exposedSchema?: string[]; sample?: number }) =>
    runCommand(async () => {
      const database = resolveDatabase(opts);
      if (paths.length === 0 && !database) {
        process.stderr.write('pgarch: give SQL files or directories, or --database URL to lint a live database\n');
        return EXIT_USAGE;
      }
      const { lintSchema } = await import('../lint/schema.js');
      const base = withEnvironment(readConfig(opts), opts);
      const config = {
        ...base,
        exposedSchemas: opts.exposedSchema ?? base.exposedSchemas,
        sampleRows: opts.sample ?? base.sampleRows,
      };
      const { report } = await lintSchema({ paths, database, live: opts.live, config, setup: opts.setup, progress: progressReporter('applying') });
      if (!opts.live) requireInput(report, paths);
      return emitReport(report, opts);
    }),
  );
  return cmd;
}

/** `table=N` pairs from a repeatable option. */
export function collectRows(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const at = value.lastIndexOf('=');
  const rows = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isFinite(rows) || rows < 0) throw new InvalidArgumentError(`expected table=N, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: rows };
}


function lintMigrationsCommand(): Command {
  const cmd = new Command('migrations')
    .description('migration rules, catalog-aware: applies migrations in order and checks each statement against the catalog before it')
    .argument('<paths...>', 'migration directories or files')
    .option('--since <git-ref>', 'report only migrations changed since this ref; earlier ones still build the catalog')
    .option('--only <file>', 'report only this migration (repeatable); earlier ones still build the catalog', collect)
    .option('--pg-version <major>', 'target PostgreSQL major version, 9 to 30 (default: the server\'s, else 15)', pgMajor)
    .option('--no-execute', 'parse only: rules that need no catalog, nothing is executed (fast)')
    .option('--assume-rows <table=N>', 'rows to assume in a table (repeatable)', collectRows)
    .option('--stats-from <url>', 'read table sizes (reltuples) from this live database, read-only')
    .option('--small-table-rows <n>', 'findings on tables known to be smaller drop to info (default 10000)', wholeNumber)
    .option('--assume-in-transaction', 'the migration runner wraps each migration in a transaction')
    .addHelpText(
      'after',
      `
Layouts found by their shape, in the order and with the transactions their tool uses: Prisma
(*/migration.sql), drizzle-kit (meta/_journal.json), goose (-- +goose Up), golang-migrate
(N_name.up.sql), Flyway (V1__name.sql, R__, U; several locations merge; Java ones listed), dbmate (-- migrate:up),
diesel (name/up.sql), sqitch (sqitch.plan), graphile-migrate (committed/), Supabase CLI
(supabase/migrations), plain numbered files. A folder that holds none is searched for them.

Examples:
  $ pgarch lint migrations db/migrations
  $ pgarch lint migrations db/migrations --since origin/main --format github
  $ pgarch lint migrations db/migrations --assume-rows orders=50000000 --pg-version 13
  $ pgarch lint migrations db/migrations --database postgres://localhost/postgres   # scratch database there
  $ pgarch lint migrations db/migrations --no-execute                                # parse-only, fastest`,
    );
  addCacheOptions(addLayoutOptions(addEnvironmentOptions(addCommonOptions(cmd))));
  cmd.action(
    (
      paths: string[],
      opts: CommonOptions &
        EnvironmentOptions &
        LayoutOptions &
        CacheOptions & {
        since?: string;
        only?: string[];
        pgVersion?: number;
        execute: boolean;
        assumeRows?: Record<string, number>;
        statsFrom?: string;
        smallTableRows?: number;
        assumeInTransaction?: boolean;
      },
    ) =>
      runCommand(async () => {
        const config = withEnvironment(readConfig(opts), opts);
        // Before the parser loads: parse-only starts no engine (see baseline-wasm.ts).
        if (!opts.execute) baselineWasmForSmallInput(paths);
        const { lintMigrations } = await import('../migrate/lint.js');
        const { report } = await lintMigrations({
          paths,
          setup: opts.setup,
          layout: opts.layout,
          pattern: opts.pattern,
          database: resolveDatabase(opts),
          since: opts.since,
          only: opts.only,
          pgVersion: opts.pgVersion,
          noExecute: !opts.execute,
          assumeRows: opts.assumeRows,
          statsFrom: opts.statsFrom,
          smallTableRows: opts.smallTableRows,
          config: opts.assumeInTransaction ? { ...config, assumeInTransaction: true } : config,
          cache: resolveCache(opts),
          progress: progressReporter('migrating'),
        });
        // --since and --only may rightly leave nothing to report.
        if (!opts.since && !opts.only?.length) requireInput(report, paths, 'migrations');
        return emitReport(report, opts);
      }),
  );
  return cmd;
}
