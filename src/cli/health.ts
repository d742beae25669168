import { Command, Option } from 'commander';
import type { HealthOptions } from '../monitor/run.js';
import { formatReport, FORMATS, type Format } from '../report/index.js';
import { InputError } from '../lint/files.js';
import { emitReport, positiveNumber, readConfig, resolveDatabase, runCommand, useColor, wholeNumber } from './common.js';

interface HealthCliOptions {
  database?: string;
  format: Format;
  output?: string;
  config?: string;
  color: boolean;
  maxWarnings?: number;
  watch?: number;
  advise?: boolean;
}

export function healthCommand(): Command {
  const cmd = new Command('health')
    .description('health checks of a live database as findings: blocked and long-running queries, idle transactions, connections, transaction-ID and multixact wraparound, replication lag and inactive slots, sequences, invalid and duplicate and unused indexes, NOT VALID constraints, dead tuples, stale vacuum and analyze, table and index bloat, slow queries, memory settings')
    .option('-d, --database <url>', 'the live database (or DATABASE_URL); read only, never waits behind a lock')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml)')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', wholeNumber)
    .option('--watch <seconds>', 'run the checks again every N seconds and print what appeared and what went away (Ctrl-C stops)', positiveNumber)
    .option('--advise', 'give each missing-index candidate the index advisor\'s proposal, costed on the pg_stat_statements workload (slower)')
    .option('--no-color', 'plain text output')
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch health --database postgres://localhost/app
  $ DATABASE_URL=postgres://monitor@db/app pgarch health --format json
  $ pgarch health --database postgres://localhost/app --watch 10
  $ pgarch health --database postgres://localhost/app --format markdown >> $GITHUB_STEP_SUMMARY

Every check runs in its own READ ONLY transaction with lock_timeout 500 ms and statement_timeout 5 s:
a check that would wait behind a migration's lock is a lock-wait finding naming the table and who
holds it, and the others still run. No superuser needed: the database owner's role will do, and
pg_monitor lets it see other roles' sessions and queries.
Thresholds come from the config file, e.g. {"health": {"thresholds": {"longRunningSeconds": 60,
"machineMemoryBytes": 68719476736}}} (each check's page in docs/rules lists its own); without
machineMemoryBytes, setting-review uses this machine's memory when the server is local.
--watch prints the whole report first, then at each run the findings that appeared (+) and went
away (−); with --format json, one line per run: {"at", "appeared", "resolved", "summary"}.
Exit codes: 0 no error findings, 1 error findings, 2 usage/connection error.`,
    );
  cmd.action((opts: HealthCliOptions) =>
    runCommand(async () => {
      const database = resolveDatabase(opts);
      if (!database) throw new InputError('health needs a live database: --database URL (or DATABASE_URL)');
      const config = readConfig({ config: opts.config, format: 'text' });
      if (opts.watch !== undefined) return watch({ database, config, advise: opts.advise }, opts);
      const [{ runHealth }, { formatHealthMarkdown }] = await Promise.all([import('../monitor/run.js'), import('../monitor/markdown.js')]);
      const report = await runHealth({ database, config, advise: opts.advise });
      // Markdown is the review's Monitoring section: findings grouped by what they are about.
      return emitReport(report, opts, () => (opts.format === 'markdown' ? formatHealthMarkdown(report) : undefined));
    }),
  );
  return cmd;
}

/** Until Ctrl-C: the full report first, then at each run what appeared (+) and what went away (−). */
async function watch(options: HealthOptions, opts: HealthCliOptions): Promise<number> {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  // --watch writes to the terminal only (--output is for one run).
  const color = useColor({ color: opts.color });
  let first = true;
  const { watchHealth } = await import('../monitor/watch.js');
  await watchHealth(options, opts.watch!, ({ report, appeared, resolved }) => {
    const at = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    if (opts.format === 'json') {
      process.stdout.write(`${JSON.stringify({ at, appeared, resolved, summary: report.summary })}\n`);
    } else if (first) {
      process.stdout.write(`${at}\n${formatReport(report, 'text', { color })}\n`);
    } else if (appeared.length || resolved.length) {
      for (const f of appeared) process.stdout.write(`${at} + ${f.severity} ${f.rule}: ${f.message}\n`);
      for (const f of resolved) process.stdout.write(`${at} − ${f.rule}: ${f.message}\n`);
    }
    first = false;
  }, { signal: stop.signal });
  return 0;
}
