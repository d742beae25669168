// `pgarch lint queries FILE…`: the query rules on .sql files and SQL literals in .ts/.js code.
import { Command, InvalidArgumentError } from 'commander';
import { wholeNumber, addCommonOptions, collect, addEnvironmentOptions, emitReport, EXIT_USAGE, requireInput, readConfig, resolveDatabase, runCommand, withEnvironment, type CommonOptions, type EnvironmentOptions } from './common.js';

interface LintQueriesFlags extends CommonOptions, EnvironmentOptions {
  schema?: string[];
  live?: boolean;
  assumeRows?: Record<string, number>;
  smallTableRows?: number;
}

export function lintQueriesCommand(collectRows: (value: string, previous?: Record<string, number>) => Record<string, number>): Command {
  const cmd = new Command('queries')
    .description('query rules on .sql files and on SQL in .ts/.js code (sql`…` tagged templates, .query(…) calls); catalog-aware with --schema or --database')
    .argument('<paths...>', 'query files (.sql, .ts, .tsx, .js, .jsx, .mjs, .cjs) or directories (node_modules, dist, .git skipped)')
    .option('-s, --schema <path>', 'schema SQL file or directory, applied in order to build the catalog (repeatable)', collect)
    .option('--live', 'with --database: read the live database\'s catalog and statistics (read-only) instead of applying --schema')
    .option('--assume-rows <table=N>', 'rows to assume in a table (repeatable); sizes drive exact-count-large-table and severities', collectRows)
    .option('--small-table-rows <n>', 'tables known to be smaller are small: findings on them drop to info (default 10000)', wholeNumber)
    .addHelpText(
      'after',
      `
Without a catalog the rules judge from the SQL alone; with one (--schema files applied to embedded
PGlite or a scratch database on --database, or a live database with --database … --live) they read
indexes, column types and sizes, and PostgreSQL checks every query against it (PREPARE, never run).
In code, \${…} substitutions become $1, $2, …; strings that do not parse as SQL are skipped.

Examples:
  $ pgarch lint queries examples/shop/queries --schema examples/shop/migrations
  $ pgarch lint queries src/ --schema db/migrations --format github
  $ pgarch lint queries queries/report.sql --assume-rows orders=50000000
  $ pgarch lint queries src/ --database postgres://localhost/app --live       # live catalog, read-only
  $ pgarch lint queries src/ --schema db/schema.sql --database postgres://localhost/postgres   # scratch database

Exit codes: 0 no errors, 1 error findings (or more warnings than --max-warnings), 2 usage/input/connection error.`,
    );
  addEnvironmentOptions(addCommonOptions(cmd));
  cmd.action((paths: string[], opts: LintQueriesFlags) =>
    runCommand(async () => {
      const database = resolveDatabase(opts);
      if (opts.live && !database) {
        process.stderr.write('pgarch: --live needs --database URL (or DATABASE_URL)\n');
        return EXIT_USAGE;
      }
      const { lintQueries } = await import('../query/lint.js');
      const { report } = await lintQueries({
        paths,
        schema: opts.schema,
        database,
        live: opts.live,
        assumeRows: opts.assumeRows,
        smallTableRows: opts.smallTableRows,
        config: withEnvironment(readConfig(opts), opts),
        setup: opts.setup,
      });
      requireInput(report, paths, 'SQL queries (.sql files, or SQL in code)');
      return emitReport(report, opts);
    }),
  );
  return cmd;
}

