import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import pc from 'picocolors';
import type { Finding } from '../types.js';
import type { RunnerEvent, RunResult, StatusResult } from '../migrate/runner/index.js';
import { EXIT_FINDINGS, EXIT_OK, progressReporter, resolveDatabase, runCommand, wholeNumber, writeResult } from './common.js';

interface TargetFlags {
  dir?: string;
  database?: string;
  pgliteDir?: string;
  schema: string;
  format: 'text' | 'json';
  color: boolean;
  wait: boolean;
  lockTimeout: number;
  statementTimeout?: number;
  retryLock: number;
}

/** The folder when --dir is not given: the first of the usual places that exists. */
function defaultDir(): string {
  return ['migrations', 'db/migrations', 'supabase/migrations'].find((d) => existsSync(d)) ?? 'migrations';
}

function targetOptions(cmd: Command, what = 'the database to migrate'): Command {
  return cmd
    .option('--dir <path>', 'the migrations folder, any layout pgarch reads (default: migrations, db/migrations or supabase/migrations)')
    .option('-d, --database <url>', `${what}: a postgres:// URL (default: $DATABASE_URL)`)
    .option('--pglite-dir <path>', `or a PGlite data directory on disk, created when missing`)
    .option('--schema <name>', 'schema of the history table pgarch_migrations', 'public')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-color', 'plain text output')
    .option('--no-wait', 'exit 2 at once when another runner holds the lock, instead of waiting for it');
}

function stepFlags(cmd: Command): Command {
  return cmd
    .option('--lock-timeout <ms>', 'lock_timeout of each migration, in ms (0: none)', wholeNumber, 5000)
    .option('--statement-timeout <ms>', 'statement_timeout of each migration, in ms (default: the server\'s)', wholeNumber)
    .option('--retry-lock <n>', 'try a migration again up to n times, with backoff, when it times out on a lock', wholeNumber, 0);
}

function runnerOptions(opts: TargetFlags) {
  const color = opts.color !== false && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const database = opts.pgliteDir ? opts.database : resolveDatabase(opts);
  return {
    color,
    options: {
      dir: opts.dir ?? defaultDir(),
      database,
      pgliteDir: opts.pgliteDir,
      schema: opts.schema,
      noWait: opts.wait === false,
      lockTimeoutMs: opts.lockTimeout,
      statementTimeoutMs: opts.statementTimeout,
      retryLock: opts.retryLock,
      onWait: (holder: string) => process.stderr.write(`pgarch: waiting for the migration lock, held by ${holder}…\n`),
      onEvent: opts.format === 'text' ? (e: RunnerEvent) => printEvent(e, color) : undefined,
    },
  };
}

function printEvent(e: RunnerEvent, color: boolean): void {
  const c = color ? pc : { green: String, red: String, dim: String, yellow: String };
  const label = `${e.migration.version} ${e.migration.name}`;
  if (e.type === 'start' && !e.inTransaction) process.stdout.write(`  ${c.dim(`${label}: statement by statement (${e.why})`)}\n`);
  else if (e.type === 'done') process.stdout.write(`  ${c.green(e.direction === 'up' ? '✓' : '↶')} ${label}  ${c.dim(`${Math.round(e.ms)} ms`)}\n`);
  else if (e.type === 'note') process.stdout.write(`  ${c.yellow('!')} ${label}: ${e.note}\n`);
  else if (e.type === 'retry') process.stdout.write(`  ${c.yellow('!')} ${label}: ${e.message}; trying again in ${(e.waitMs / 1000).toFixed(1)} s (retry ${e.attempt})\n`);
}

/** The end of a run: what was done, the failure with its place, and the exit code. */
function finish(result: RunResult, opts: TargetFlags, color: boolean, verb: string): number {
  if (opts.format === 'json') {
    writeResult(JSON.stringify(result, null, 2), undefined);
    return result.failed || (result.lint?.some((f) => f.severity === 'error') && result.applied.length === 0) ? EXIT_FINDINGS : EXIT_OK;
  }
  const c = color ? pc : { red: String, bold: String };
  if (result.failed) {
    const f = result.failed;
    process.stdout.write(`  ${c.red('✗')} ${f.version} ${f.name}\n${f.file}:${f.line}:${f.column}: ${f.message}\n`);
    process.stdout.write(
      f.rolledBack
        ? `Rolled back: the database is as it was before ${f.version}_${f.name}${result.applied.length ? `; the ${result.applied.length} ${verb} before it in this run stay ${verb}` : ''}.\n`
        : `${f.statementsDone ?? 0} statement(s) of it had run and stay (it runs statement by statement); fix the file and run again: it resumes at the failed statement.\n`,
    );
    return EXIT_FINDINGS;
  }
  const nothing: Record<string, string> = { undone: 'no migration is applied', 'recorded as applied (baseline)': 'every migration is in the history already' };
  process.stdout.write(result.applied.length ? `${result.applied.length} ${verb} on ${result.target}\n` : `Nothing to do on ${result.target}: ${nothing[verb] ?? 'up to date'}.\n`);
  return EXIT_OK;
}

function printLint(findings: Finding[], refused: boolean, color: boolean): void {
  const c = color ? pc : { red: String, yellow: String, dim: String };
  const shown = findings.filter((f) => f.severity !== 'info');
  for (const f of shown) {
    const at = f.location ? `${f.location.file ?? ''}:${f.location.line ?? 1}:${f.location.column ?? 1}` : '';
    process.stderr.write(`${at} ${f.severity === 'error' ? c.red('error') : c.yellow('warning')} ${f.rule}: ${f.message}\n`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (refused) process.stderr.write(`pgarch: refused: the migration lint found ${errors} error(s) in what would be applied; nothing was applied (fix them, or pass --force)\n`);
  else if (errors) process.stderr.write(`pgarch: --force: applying despite ${errors} error finding(s) of the migration lint\n`);
}

export function migrateCommand(): Command {
  const migrate = new Command('migrate').description('run migrations: a history table with checksums, one runner at a time, each migration in its own transaction, the lint first').addHelpText(
    'after',
    `
Examples:
  $ pgarch migrate new add_orders
  $ pgarch migrate up --database postgres://app@localhost/app
  $ pgarch migrate status --pglite-dir .pgarch/dev
  $ pgarch migrate down 2 --database $DATABASE_URL
  $ pgarch migrate verify --dir db/migrations
  $ pgarch migrate backfill --table orders --set "total_cents = round(total * 100)" --batch 10000`,
  );

  migrate.addCommand(
    new Command('new')
      .description('write <UTC timestamp>_<name>.sql from the template: header, up section, down section')
      .argument('<name>', 'what it does, e.g. add_orders (made snake_case)')
      .option('--dir <path>', 'the migrations folder (default: migrations, db/migrations or supabase/migrations)')
      .option('-m, --description <text>', 'the header\'s description line')
      .option('--no-transaction', 'for CREATE INDEX CONCURRENTLY and the like: the file runs statement by statement, resumable')
      .addHelpText('after', '\nExample:\n  $ pgarch migrate new add_orders_customer_index --no-transaction -m "index orders by customer for the account page"')
      .action((name: string, opts: { dir?: string; description?: string; transaction: boolean }) =>
        runCommand(async () => {
          const { newMigration } = await import('../migrate/runner/template.js');
          const path = newMigration({ dir: opts.dir ?? defaultDir(), name, description: opts.description, noTransaction: opts.transaction === false });
          process.stdout.write(`${path}\n`);
          return EXIT_OK;
        }),
      ),
  );

  migrate.addCommand(
    stepFlags(targetOptions(new Command('up')))
      .description('apply the pending migrations in order, each in its own transaction, after the migration lint passes on them')
      .option('--to <version>', 'stop after this version')
      .option('--dry-run', 'print the SQL that would run, and run nothing')
      .option('--no-lint', 'skip the migration lint')
      .option('--force', 'apply despite error findings of the migration lint')
      .option('--allow-changed', 'record the new checksum of an applied file that changed, instead of refusing (exit 2)')
      .addHelpText(
        'after',
        `
Examples:
  $ pgarch migrate up --database postgres://app@localhost/app
  $ pgarch migrate up --dir db/migrations --pglite-dir .pgarch/dev --to 20261207120000
  $ pgarch migrate up --dry-run --database $DATABASE_URL
  $ pgarch migrate up --lock-timeout 2000 --retry-lock 5 --no-wait --database $DATABASE_URL

Exit codes: 0 applied (or nothing to do), 1 a migration failed (it was rolled back) or the lint refused,
2 usage, a changed applied file, the lock busy with --no-wait, or a connection error.`,
      )
      .action((opts: TargetFlags & { to?: string; dryRun?: boolean; lint: boolean; force?: boolean; allowChanged?: boolean }) =>
        runCommand(async () => {
          const { migrateUp, migrateDryRun } = await import('../migrate/runner/index.js');
          const { color, options } = runnerOptions(opts);
          const up = { ...options, to: opts.to, lint: opts.lint, force: opts.force, allowChanged: opts.allowChanged, onLint: opts.format === 'text' ? (f: Finding[], refused: boolean) => printLint(f, refused, color) : undefined };
          if (opts.dryRun) {
            writeResult(await migrateDryRun(up), undefined);
            return EXIT_OK;
          }
          const result = await migrateUp(up);
          if (result.lint && result.applied.length === 0 && !result.failed && !opts.force) {
            if (opts.format === 'json') writeResult(JSON.stringify(result, null, 2), undefined);
            return EXIT_FINDINGS;
          }
          return finish(result, opts, color, 'applied');
        }),
      ),
  );

  migrate.addCommand(
    stepFlags(targetOptions(new Command('down')))
      .description('undo the newest applied migrations by their down steps (default 1)')
      .argument('[n]', 'how many', wholeNumber, 1)
      .addHelpText('after', '\nExamples:\n  $ pgarch migrate down --database $DATABASE_URL\n  $ pgarch migrate down 3 --dir db/migrations --pglite-dir .pgarch/dev')
      .action((n: number, opts: TargetFlags) =>
        runCommand(async () => {
          const { migrateDown } = await import('../migrate/runner/index.js');
          const { color, options } = runnerOptions(opts);
          return finish(await migrateDown({ ...options, steps: n }), opts, color, 'undone');
        }),
      ),
  );

  migrate.addCommand(
    stepFlags(targetOptions(new Command('redo')))
      .description('undo the newest applied migration and apply it again')
      .addHelpText('after', '\nExample:\n  $ pgarch migrate redo --dir db/migrations --pglite-dir .pgarch/dev')
      .action((opts: TargetFlags) =>
        runCommand(async () => {
          const { migrateRedo } = await import('../migrate/runner/index.js');
          const { color, options } = runnerOptions(opts);
          return finish(await migrateRedo(options), opts, color, 'steps run');
        }),
      ),
  );

  migrate.addCommand(
    targetOptions(new Command('status'))
      .description('each migration: applied (when, how long), pending, changed since applied, partial, or missing its file')
      .addHelpText('after', '\nExit codes: 0, or 1 when an applied file changed.\n\nExamples:\n  $ pgarch migrate status --database $DATABASE_URL\n  $ pgarch migrate status --pglite-dir .pgarch/dev --format json')
      .action((opts: TargetFlags) =>
        runCommand(async () => {
          const { migrationStatus } = await import('../migrate/runner/index.js');
          const { color, options } = runnerOptions(opts);
          const status = await migrationStatus(options);
          writeResult(opts.format === 'json' ? JSON.stringify(status, null, 2) : formatStatus(status, color), undefined);
          return status.migrations.some((m) => m.state === 'changed') ? EXIT_FINDINGS : EXIT_OK;
        }),
      ),
  );

  migrate.addCommand(
    targetOptions(new Command('baseline'))
      .description('record the migrations (up to --to) as applied without running them: adopting the runner on an existing database')
      .option('--to <version>', 'the last version the database already has')
      .addHelpText('after', '\nExample:\n  $ pgarch migrate baseline --to 20260101000000 --database $DATABASE_URL')
      .action((opts: TargetFlags & { to?: string }) =>
        runCommand(async () => {
          const { migrateBaseline } = await import('../migrate/runner/index.js');
          const { color, options } = runnerOptions(opts);
          return finish(await migrateBaseline({ ...options, to: opts.to }), opts, color, 'recorded as applied (baseline)');
        }),
      ),
  );

  migrate.addCommand(
    new Command('verify')
      .description('in a scratch database: every up step, every down step newest first, every up step again, comparing the schema after each')
      .option('--dir <path>', 'the migrations folder (default: migrations, db/migrations or supabase/migrations)')
      .option('-d, --database <url>', 'make the scratch database on this server (default: embedded PGlite); nothing outside it changes')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'github', 'markdown']).default('text'))
      .option('--no-color', 'plain text output')
      .addHelpText('after', '\nExit codes: 0 every down step restores the schema, 1 irreversible-migration findings, 2 usage or input error.\n\nExample:\n  $ pgarch migrate verify --dir db/migrations')
      .action((opts: { dir?: string; database?: string; format: 'text' | 'json' | 'sarif' | 'github' | 'markdown'; color: boolean }) =>
        runCommand(async () => {
          const [{ verifyMigrations }, { emitReport }] = await Promise.all([import('../migrate/runner/verify.js'), import('./common.js')]);
          const { report } = await verifyMigrations({ dir: opts.dir ?? defaultDir(), database: resolveDatabase(opts), progress: progressReporter('verifying') });
          return emitReport(report, { format: opts.format, color: opts.color });
        }),
      ),
  );

  migrate.addCommand(
    new Command('backfill')
      .description('UPDATE a whole table in keyset batches, each committed with its progress: resumable, with progress on stderr')
      .requiredOption('--table <name>', 'the table (schema-qualified or on the search_path)')
      .requiredOption('--set <assignments>', 'the SET list, e.g. "total_cents = round(total * 100)"')
      .option('--where <condition>', 'only rows matching this, e.g. "total_cents IS NULL"')
      .option('--batch <rows>', 'rows per batch', wholeNumber, 10000)
      .option('--pause <ms>', 'pause between batches', wholeNumber, 0)
      .option('--lock-timeout <ms>', 'lock_timeout of each batch', wholeNumber, 5000)
      .option('--restart', 'start from the first key even when an earlier run finished or stopped part way')
      .option('-d, --database <url>', 'the database (default: $DATABASE_URL)')
      .option('--pglite-dir <path>', 'or a PGlite data directory')
      .option('--schema <name>', 'schema of the progress table pgarch_backfills', 'public')
      .addHelpText('after', '\nExample:\n  $ pgarch migrate backfill --table orders --set "total_cents = round(total * 100)" --where "total_cents IS NULL" --batch 5000 --pause 50')
      .action((opts: { table: string; set: string; where?: string; batch: number; pause: number; lockTimeout: number; restart?: boolean; database?: string; pgliteDir?: string; schema: string }) =>
        runCommand(async () => {
          const { runBackfill } = await import('../migrate/runner/index.js');
          const progress = await runBackfill(
            { database: opts.pgliteDir ? undefined : resolveDatabase(opts), pgliteDir: opts.pgliteDir, schema: opts.schema },
            {
              table: opts.table,
              set: opts.set,
              where: opts.where,
              batch: opts.batch,
              pauseMs: opts.pause,
              lockTimeoutMs: opts.lockTimeout,
              schema: opts.schema,
              restart: opts.restart,
              onBatch: (p) => {
                const pct = p.estimatedRows ? ` (${Math.min(100, Math.round((p.rows / p.estimatedRows) * 100))}% of ~${Math.round(p.estimatedRows).toLocaleString('en-US')})` : '';
                const rate = p.elapsedMs > 0 ? `, ${Math.round((p.rows / p.elapsedMs) * 1000).toLocaleString('en-US')} rows/s` : '';
                process.stderr.write(`backfill ${opts.table}: batch ${p.batches}, ${p.rows.toLocaleString('en-US')} rows${pct}, key ${p.lastKey ?? '-'}${rate}\n`);
              },
            },
          );
          process.stdout.write(`${progress.done ? 'Backfill complete' : 'Backfill stopped'}: ${progress.rows.toLocaleString('en-US')} rows in ${progress.batches} batches${progress.resumed ? ' (resumed)' : ''}\n`);
          return EXIT_OK;
        }),
      ),
  );
  return migrate;
}

function formatStatus(s: StatusResult, color: boolean): string {
  const c = color ? pc : { green: String, yellow: String, red: String, dim: String };
  const paint: Record<string, (t: string) => string> = { applied: c.green, pending: c.yellow, changed: c.red, partial: c.red, missing: c.red };
  const width = Math.max(0, ...s.migrations.map((m) => `${m.version} ${m.name}`.length));
  const lines = [`Migrations in ${s.dir} (${s.layout}) on ${s.target}, history ${s.history}`];
  for (const m of s.migrations) {
    const label = `${m.version} ${m.name}`.padEnd(width);
    const when = m.appliedAt ? `${m.appliedAt.toISOString().replace('T', ' ').slice(0, 19)}  ${m.executionMs} ms${m.baseline ? ' (baseline)' : ''}` : '';
    const extra =
      m.state === 'changed'
        ? `the file changed since it was applied (checksum ${m.recordedChecksum?.slice(0, 12)}… → ${m.checksum?.slice(0, 12)}…)`
        : m.state === 'partial'
          ? `stopped after ${m.statementsDone} statement(s): up resumes it`
          : m.state === 'missing'
            ? 'in the history, but no file'
            : when;
    lines.push(`  ${paint[m.state](m.state.padEnd(8))} ${label}  ${c.dim(extra)}`);
  }
  const count = (state: string) => s.migrations.filter((m) => m.state === state).length;
  lines.push(`${count('applied')} applied, ${count('pending')} pending${['changed', 'partial', 'missing'].map((x) => (count(x) ? `, ${count(x)} ${x}` : '')).join('')}`);
  return lines.join('\n');
}
