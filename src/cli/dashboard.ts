import { Command } from 'commander';
import { redact } from '../engine/redact.js';
import { InputError } from '../lint/files.js';
import { positiveNumber, readConfig, resolveDatabase, runCommand, wholeNumber } from './common.js';

interface DashboardCliOptions {
  database?: string;
  config?: string;
  port?: number;
  refresh?: number;
}

export function dashboardCommand(): Command {
  const cmd = new Command('dashboard')
    .description('a local web dashboard of a live database: health findings, slow queries with their plans, the lock tree, indexes and advice, space, maintenance')
    .option('-d, --database <url>', 'the live database (or DATABASE_URL); read only, never waits behind a lock')
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml)')
    .option('-p, --port <n>', 'port on 127.0.0.1 (default: a free one)', wholeNumber)
    .option('--refresh <seconds>', 'seconds between page refreshes and size samples', positiveNumber, 10)
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch dashboard --database postgres://localhost/app
  $ DATABASE_URL=postgres://monitor@db/app pgarch dashboard --port 7070 --refresh 30

It listens on 127.0.0.1 only and prints a URL with a random token: every request without that token
gets 401, and everything it serves is bundled (no request leaves your machine). Pages: Overview (the
health findings), Queries (pg_stat_statements; click one for its plan with insights — EXPLAIN without
ANALYZE, nothing runs), Locks (who blocks whom), Indexes (unused, duplicate, invalid, and the index
advisor on demand), Space (sizes and their growth over the samples taken), Maintenance (vacuum,
analyze, wraparound). Every page reads in a READ ONLY transaction with a 500 ms lock_timeout: a page
that meets a migration's lock says which table is held. Ctrl-C stops it.`,
    );
  cmd.action((opts: DashboardCliOptions) =>
    runCommand(async () => {
      const database = resolveDatabase(opts);
      if (!database) throw new InputError('dashboard needs a live database: --database URL (or DATABASE_URL)');
      if (opts.port !== undefined && opts.port > 65535) throw new InputError(`--port: ${opts.port} is not a port (1-65535, or 0 for a free one)`);
      const config = readConfig({ config: opts.config, format: 'text' });
      const { startDashboard } = await import('../monitor/dashboard/server.js');
      const dashboard = await startDashboard({ database, config, port: opts.port, refreshSeconds: opts.refresh });
      process.stdout.write(`pgarch dashboard of ${redact(database)}\n  ${dashboard.url}\nOpen it in a browser on this machine; Ctrl-C stops it.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.close();
      return 0;
    }),
  );
  return cmd;
}
