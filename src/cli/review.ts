import { Command } from 'commander';
import { addCacheOptions, addCommonOptions, addEnvironmentOptions, addLayoutOptions, emitReport, resolveCache, type CacheOptions, progressReporter, readConfig, resolveDatabase, runCommand, withEnvironment, type CommonOptions, type EnvironmentOptions, type LayoutOptions } from './common.js';
import { collectRows } from './lint.js';

/**
 * The architect's review of a project in five parts — Schema, Indexes, Queries, Migration (with each
 * migration's checklist), Monitoring — from every capability that has landed.
 */
export function reviewCommand(): Command {
  const cmd = new Command('review')
    .description("the all-in-one architect's review of a project's SQL (runs every capability that has landed)")
    .argument('<paths...>', 'project directories or SQL files (migrations, schema.sql; queries/ folders are not applied)')
    .option('--since <git-ref>', 'review only the migrations changed since this ref (with their checklists); the history before them still builds the catalog')
    .option('--assume-rows <table=N>', "rows a table holds in production (repeatable): the checklist estimates each migration's runtime at that size and at 10x", collectRows)
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch review examples/shop
  $ pgarch review db/ --format markdown -o review.md
  $ pgarch review . --since origin/main --format github
  $ pgarch review db/ --database postgres://localhost/app   # applied in a scratch database there; app's health is the Monitoring part
  $ pgarch review db/ --no-cache                           # run the whole history even if its state is cached
  $ pgarch review db/ --assume-rows orders=5e6             # each migration's runtime at 5 million orders, and at 10x

The report has five parts: Schema (design findings with their DDL fixes), Indexes (missing,
duplicate, redundant, unused), Queries (the query rules on queries/ folders, checked against the
schema the project builds), Migration (the migration rules, and for each migration reviewed the
checklist: pre-flight, performance, safety, rollback, each item pass, fail or "needs a human"),
Monitoring (with --database, that database's health; without, the queries to run on one).`,
    );
  addCacheOptions(addLayoutOptions(addEnvironmentOptions(addCommonOptions(cmd))));
  cmd.action((paths: string[], opts: CommonOptions & EnvironmentOptions & LayoutOptions & CacheOptions & { since?: string; assumeRows?: Record<string, number> }) =>
    runCommand(async () => {
      const [{ review }, { formatReviewMarkdown, formatReviewText }] = await Promise.all([import('../lint/review.js'), import('../review/render.js')]);
      const report = await review({
        paths,
        database: resolveDatabase(opts),
        config: withEnvironment(readConfig(opts), opts),
        setup: opts.setup,
        layout: opts.layout,
        pattern: opts.pattern,
        since: opts.since,
        assumeRows: opts.assumeRows,
        cache: resolveCache(opts),
        progress: progressReporter('applying'),
      });
      // A project with no SQL yet is not an error for a review that runs on every pull request: say
      // so and pass (lint commands, asked to check given files, call that an input error).
      const nothing = report.summary.files === 0 && report.summary.statements === 0 && report.findings.length === 0;
      if (nothing) {
        const message = `pgarch review: no SQL found in ${paths.join(', ')} (no migrations folder, schema file or queries folder): nothing to review`;
        if (opts.format === 'text' || opts.format === 'markdown') {
          process.stdout.write(`${message}\n`);
          return 0;
        }
        process.stderr.write(`${message}\n`);
      }
      // Text and markdown show the five parts; json carries them as `sections`; sarif and github, the findings.
      return emitReport(report, opts, (color) =>
        opts.format === 'markdown' ? formatReviewMarkdown(report) : opts.format === 'text' ? formatReviewText(report, { color, quiet: opts.quiet }) : undefined,
      );
    }),
  );
  return cmd;
}
