import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { collectRows } from './lint.js';
import { addEnvironmentOptions, EXIT_FINDINGS, EXIT_OK, progressReporter, readConfig, resolveDatabase, runCommand, type EnvironmentOptions } from './common.js';

export function traceCommand(): Command {
  const cmd = new Command('trace')
    .description('run each statement of a migration in a transaction and report the locks it takes, the relations it rewrites, and its duration')
    .argument('<file>', 'the migration to trace')
    .option('-d, --database <url>', 'PostgreSQL URL (default: embedded PGlite): traced in a scratch database there, inside one transaction that is rolled back: no role, setting or other database changes')
    .option('--rows <table=N>', 'seed N synthetic rows into a table before tracing (repeatable)', collectRows)
    .option('--no-history', 'do not apply the migrations before FILE in its layout')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the result to a file')
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml): its setup and profile apply')
    .option('--no-color', 'plain text output')
    .option('--encoding <name>', 'encoding of the SQL files (default: utf-8; e.g. latin1, windows-1252, utf-16le)')
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch trace db/migrations/0007_payments_amount_bigint.sql
  $ pgarch trace db/migrations/0007_payments_amount_bigint.sql --rows payments=1000000
  $ pgarch trace change.sql --setup db/schema.sql --format json
  $ pgarch trace change.sql --database postgres://localhost/postgres --rows orders=100000

The migrations before FILE in its folder's layout (any tool pgarch knows) are applied first, as that
tool runs them; --setup files before those. Exit codes: 0 every statement ran, 1 a traced statement
failed, 2 usage, input or connection error.`,
    );
  addEnvironmentOptions(cmd);
  cmd.action((file: string, opts: EnvironmentOptions & { database?: string; rows?: Record<string, number>; history: boolean; format: 'text' | 'json'; output?: string; config?: string; encoding?: string; color: boolean }) =>
    runCommand(async () => {
      const config = readConfig({ config: opts.config, encoding: opts.encoding, format: 'text' });
      const [{ traceFile }, { formatTraceText }] = await Promise.all([import('../migrate/trace.js'), import('../report/trace.js')]);
      const result = await traceFile(file, {
        database: resolveDatabase(opts),
        rows: opts.rows,
        setup: [...config.setup, ...(opts.setup ?? [])],
        profile: opts.profile ?? config.profile,
        noHistory: !opts.history,
        progress: progressReporter('tracing'),
      });
      const color = opts.color !== false && !opts.output && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      const text = opts.format === 'json' ? JSON.stringify(result, null, 2) : formatTraceText(result, { color });
      if (opts.output) writeFileSync(opts.output, `${text}\n`);
      else process.stdout.write(`${text}\n`);
      return result.statements.some((s) => s.error) ? EXIT_FINDINGS : EXIT_OK;
    }),
  );
  return cmd;
}
