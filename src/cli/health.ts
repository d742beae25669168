import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { runHealth } from '../monitor/run.js';
import { exitCodeFor, formatReport, FORMATS, type Format } from '../report/index.js';
import { InputError } from '../lint/files.js';
import { readConfig, resolveDatabase, runCommand, wholeNumber } from './common.js';

interface HealthCliOptions {
  database?: string;
  format: Format;
  output?: string;
  config?: string;
  color: boolean;
  maxWarnings?: number;
}

export function healthCommand(): Command {
  const cmd = new Command('health')
    .description('health checks of a live database as findings: blocked and long-running queries, idle transactions, connections, wraparound, sequences, invalid and duplicate and unused indexes, NOT VALID constraints, dead tuples, slow queries')
    .option('-d, --database <url>', 'the live database (or DATABASE_URL); read only, never waits behind a lock')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml)')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', wholeNumber)
    .option('--no-color', 'plain text output')
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch health --database postgres://localhost/app
  $ DATABASE_URL=postgres://monitor@db/app pgarch health --format json

Every check runs in its own READ ONLY transaction with lock_timeout 500 ms and statement_timeout 5 s:
a check that would wait behind a migration's lock is a lock-wait finding naming the table and who
holds it, and the others still run. No superuser needed: the database owner's role will do, and
pg_monitor lets it see other roles' sessions and queries.
Exit codes: 0 no error findings, 1 error findings, 2 usage/connection error.`,
    );
  cmd.action((opts: HealthCliOptions) =>
    runCommand(async () => {
      const database = resolveDatabase(opts);
      if (!database) throw new InputError('health needs a live database: --database URL (or DATABASE_URL)');
      const config = readConfig({ config: opts.config, format: 'text' });
      const report = await runHealth({ database, config });
      const color = opts.color !== false && !opts.output && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      const text = formatReport(report, opts.format, { color });
      if (opts.output) writeFileSync(opts.output, `${text}\n`);
      else process.stdout.write(`${text}\n`);
      return exitCodeFor(report.findings, opts.maxWarnings);
    }),
  );
  return cmd;
}
