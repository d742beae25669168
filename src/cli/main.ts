#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { adviseCommand } from './advise.js';
import { dashboardCommand } from './dashboard.js';
import { diffCommand } from './diff.js';
import { planCommand } from './plan.js';
import { docsCommand } from './docs.js';
import { healthCommand } from './health.js';
import { initCommand } from './init.js';
import { EXIT_USAGE } from './common.js';
import { explainCommand } from './explain.js';
import { lintCommand } from './lint.js';
import { migrateCommand } from './migrate.js';
import { modelCommand } from './model.js';
import { reviewCommand } from './review.js';
import { traceCommand } from './trace.js';

const program = new Command('pgarch')
  .description('A PostgreSQL database architect in a box: runs your SQL in a real PostgreSQL and reviews what it builds.')
  .version(VERSION, '-V, --version')
  .addHelpText(
    'after',
    `
Examples:
  $ pgarch init
  $ pgarch review examples/shop
  $ pgarch lint schema db/migrations --format json
  $ pgarch lint migrations db/migrations --since origin/main
  $ pgarch trace db/migrations/0007_change.sql --rows orders=100000
  $ pgarch migrate up --database postgres://app@localhost/app
  $ pgarch model examples/model/shop.yaml --out db/migrations
  $ pgarch docs db/migrations --out docs/schema
  $ pgarch lint schema --database postgres://user@localhost/app
  $ pgarch explain queries/report.sql --schema db/migrations --rows orders=100000 --html plan.html
  $ pgarch advise indexes --schema db/schema.sql --rows orders=1e6 --workload queries/
  $ pgarch health --database postgres://localhost/app
  $ pgarch dashboard --database postgres://localhost/app`,
  );

program.addCommand(initCommand());
program.addCommand(reviewCommand());
program.addCommand(lintCommand());
program.addCommand(traceCommand());
program.addCommand(migrateCommand());
program.addCommand(modelCommand());
program.addCommand(explainCommand());
program.addCommand(adviseCommand());
program.addCommand(healthCommand());
program.addCommand(dashboardCommand());
program.addCommand(docsCommand());
program.addCommand(diffCommand());
program.addCommand(planCommand());

// Commander's exit handling is per command; every level must throw instead of exiting with code 1.
const everyCommand = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(everyCommand)];
for (const cmd of everyCommand(program)) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // --help and --version end here with code 0; usage errors (already printed by commander) exit 2.
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  throw error;
}
