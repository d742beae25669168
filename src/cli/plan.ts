import { Command, Option } from 'commander';
import { collect, EXIT_ENGINE_FAILURE, EXIT_FINDINGS, EXIT_OK, positiveNumber, runCommand, wholeNumber, writeResult } from './common.js';

interface PlanCliOptions {
  out?: string;
  rename: string[];
  allowDestructive?: boolean;
  assumeRows: number;
  lockTimeout: number;
  batch: number;
  lint: boolean;
  format: 'text' | 'json';
  output?: string;
  quiet?: boolean;
}

export function planCommand(): Command {
  return new Command('plan')
    .description('turn the change from schema FROM to schema TO into safe migrations: expand (online), backfill (batched), contract (later release)')
    .argument('<from>', 'the schema now: a SQL file, a folder of migrations (any layout), a model file (.yaml), or a postgres:// URL (read-only)')
    .argument('<to>', 'the schema wanted, in the same forms')
    .option('--out <dir>', "write the migrations into this folder, in its tool's layout (a new folder gets dbmate-style files)")
    .option('--rename <t.old=t.new>', 'a column renamed, not dropped and added: expand/contract with a dual-write trigger (repeatable)', collect, [])
    .option('--allow-destructive', 'allow steps that lose data (a table or column dropped)')
    .option('--assume-rows <n>', "rows each of FROM's tables is linted as holding", wholeNumber, 1_000_000)
    .option('--lock-timeout <ms>', 'lock_timeout set before each step', positiveNumber, 5000)
    .option('--batch <n>', 'rows per backfill batch', positiveNumber, 1000)
    .option('--no-lint', 'do not lint the plan (it is linted by default)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the result to a file')
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch plan db/schema.sql db/schema-next.sql
  $ pgarch plan db/migrations db/schema.sql --out db/migrations
  $ pgarch plan postgres://app@localhost/app db/schema.sql --rename users.name=users.full_name
  $ pgarch plan db/migrations db/schema.sql --allow-destructive --format json

The plan is applied to a copy of FROM (embedded PostgreSQL) before it is shown: each migration's down
step is read off the catalog, the end must equal TO, and every migration is linted on FROM's catalog
with each table sized by --assume-rows. Exit codes: 0 a plan (or nothing to do), 1 the lint found
errors in the plan, 2 usage or input error (a destructive step without --allow-destructive, a likely
rename), 3 the plan failed on the copy (a bug: please report it).`,
    )
    .action((from: string, to: string, opts: PlanCliOptions) =>
      runCommand(async () => {
        const { planSources, PlanFailure } = await import('../diff/plan-run.js');
        const progress = opts.quiet || opts.format === 'json' ? undefined : (m: string) => process.stderr.write(`pgarch: ${m}…\n`);
        let result;
        try {
          result = await planSources(from, to, { renames: opts.rename, allowDestructive: opts.allowDestructive, assumeRows: opts.assumeRows, lockTimeoutMs: opts.lockTimeout, batch: opts.batch, noLint: !opts.lint, progress });
        } catch (error) {
          if (!(error instanceof PlanFailure)) throw error;
          process.stderr.write(`pgarch: internal error: ${error.message}\n`);
          return EXIT_ENGINE_FAILURE;
        }
        let written: string[] = [];
        if (opts.out && result.migrations.length) {
          const { loadParser } = await import('../sql/parse.js');
          const { writePlan } = await import('../diff/plan-write.js');
          await loadParser();
          written = writePlan(opts.out, result.migrations);
        }
        const errors = result.findings.filter((f) => f.severity === 'error');
        if (opts.format === 'json') {
          writeResult(
            JSON.stringify(
              {
                migrations: result.migrations.map((m) => ({ phase: m.phase, name: m.name, description: m.description, transactional: m.transactional, up: m.statements, down: m.down })),
                notes: result.notes,
                findings: result.findings.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, file: f.location?.file, line: f.location?.line })),
                written,
              },
              null,
              2,
            ),
            opts.output,
          );
        } else {
          writeResult(planText(result, written), opts.output);
        }
        return errors.length ? EXIT_FINDINGS : EXIT_OK;
      }),
    );
}

function planText(result: Awaited<ReturnType<typeof import('../diff/plan-run.js')['planSources']>>, written: string[]): string {
  const { migrations } = result;
  if (!migrations.length) return '-- pgarch plan: the schemas are the same; nothing to do';
  const count = (phase: string) => migrations.filter((m) => m.phase === phase).length;
  const lines = [`-- pgarch plan: ${migrations.length} migrations (expand ${count('expand')}, backfill ${count('backfill')}, contract ${count('contract')}), applied to a copy of FROM and checked to reach TO`];
  migrations.forEach((m, i) => {
    lines.push('', `-- ${i + 1}/${migrations.length} [${m.phase}] ${m.name}${m.transactional ? '' : ' (outside a transaction)'}`, `-- ${m.description}`, ...m.statements);
  });
  if (result.notes.length) lines.push('', ...result.notes.map((n) => `-- note: ${n}`));
  const bySeverity = (s: string) => result.findings.filter((f) => f.severity === s).length;
  lines.push('', `-- lint: ${bySeverity('error')} errors, ${bySeverity('warning')} warnings (each table of FROM sized as --assume-rows)`);
  for (const f of result.findings.filter((x) => x.severity !== 'info')) lines.push(`--   ${f.severity} ${f.rule} ${f.location?.file ?? ''}:${f.location?.line ?? ''} ${f.message}`);
  if (written.length) lines.push('', `-- written: ${written.join(', ')}`);
  return lines.join('\n');
}
