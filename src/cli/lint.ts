import { Command } from 'commander';
import { lintSchema } from '../lint/schema.js';
import { addCommonOptions, emitReport, EXIT_USAGE, progressReporter, readConfig, resolveDatabase, runCommand, type CommonOptions } from './common.js';

export function lintCommand(): Command {
  const lint = new Command('lint').description('lint schemas (more areas: migrations, queries — as they land)');
  lint.addCommand(lintSchemaCommand());
  return lint;
}

function lintSchemaCommand(): Command {
  const cmd = new Command('schema')
    .description('schema rules on the catalog built from SQL files, or read from a live database')
    .argument('[paths...]', 'SQL files or directories (applied in order)')
    .option('--live', 'with --database and paths: lint the database as it is; the files only locate objects')
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch lint schema examples/shop                     # embedded PGlite, no server needed
  $ pgarch lint schema db/migrations --format sarif -o pgarch.sarif
  $ pgarch lint schema db/schema.sql --database postgres://localhost/app   # applied in a scratch database
  $ pgarch lint schema --database postgres://localhost/app                 # live catalog, read-only
  $ pgarch lint schema db/migrations --database postgres://localhost/app --live

Exit codes: 0 no errors, 1 error findings (or more warnings than --max-warnings), 2 usage/input/connection error.`,
    );
  addCommonOptions(cmd);
  cmd.action((paths: string[], opts: CommonOptions & { live?: boolean }) =>
    runCommand(async () => {
      const database = resolveDatabase(opts);
      if (paths.length === 0 && !database) {
        process.stderr.write('pgarch: give SQL files or directories, or --database URL to lint a live database\n');
        return EXIT_USAGE;
      }
      const { report } = await lintSchema({ paths, database, live: opts.live, config: readConfig(opts), progress: progressReporter('applying') });
      return emitReport(report, opts);
    }),
  );
  return cmd;
}
