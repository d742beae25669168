import { Command } from 'commander';
import { review } from '../lint/review.js';
import { addCommonOptions, addEnvironmentOptions, addLayoutOptions, emitReport, progressReporter, requireInput, readConfig, resolveDatabase, runCommand, withEnvironment, type CommonOptions, type EnvironmentOptions, type LayoutOptions } from './common.js';

/**
 * The architect's review of a project. It runs every capability that has landed — today the schema
 * rules on the catalog the project's SQL builds and the migration rules on its migrations folders —
 * so `pgarch review` works at every stage.
 */
export function reviewCommand(): Command {
  const cmd = new Command('review')
    .description("the all-in-one architect's review of a project's SQL (runs every capability that has landed)")
    .argument('<paths...>', 'project directories or SQL files (migrations, schema.sql; queries/ folders are not applied)')
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch review examples/shop
  $ pgarch review db/ --format markdown -o review.md
  $ pgarch review db/ --database postgres://localhost/postgres   # applied in a scratch database there`,
    );
  addLayoutOptions(addEnvironmentOptions(addCommonOptions(cmd)));
  cmd.action((paths: string[], opts: CommonOptions & EnvironmentOptions & LayoutOptions) =>
    runCommand(async () => {
      const report = await review({
        paths,
        database: resolveDatabase(opts),
        config: withEnvironment(readConfig(opts), opts),
        setup: opts.setup,
        layout: opts.layout,
        pattern: opts.pattern,
        progress: progressReporter('applying'),
      });
      requireInput(report, paths);
      return emitReport(report, opts);
    }),
  );
  return cmd;
}
