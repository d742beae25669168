import { Command, Option } from 'commander';
import type { Applied } from '../advise/apply.js';
import { exitCodeFor, formatReport, FORMATS, type Format } from '../report/index.js';
import { formatText } from '../report/text.js';
import type { Report } from '../types.js';
import { collectRows } from './lint.js';
import { addEnvironmentOptions, collect, positiveNumber, readConfig, resolveDatabase, runCommand, useColor, wholeNumber, withEnvironment, writeResult } from './common.js';

interface AdviseCliOptions {
  workload?: string[];
  schema?: string[];
  rows?: Record<string, number>;
  database?: string;
  maxIndexes?: number;
  maxSize?: number;
  writeWeight?: number;
  top?: number;
  sampleRows?: number;
  format: Format;
  output?: string;
  config?: string;
  encoding?: string;
  color: boolean;
  maxWarnings?: number;
  setup?: string[];
  profile?: 'default' | 'supabase';
  apply?: string | true;
}

export function adviseCommand(): Command {
  const advise = new Command('advise').description('advisors: index advice for a workload');
  const cmd = new Command('indexes')
    .description('propose the few indexes that pay for a workload: candidates from each query, costed by the planner with what-if indexes, chosen over the whole workload with write cost charged')
    .option('-w, --workload <path>', 'workload .sql files or directories (SQL in .ts/.js too); `-- weight: N` before a query is its calls per period (repeatable)', collect)
    .option('--schema <path>', 'schema and data SQL files, applied to embedded PGlite (repeatable)', collect)
    .option('--rows <table=N>', 'generate N rows matching the column types and constraints (repeatable)', collectRows)
    .option('-d, --database <url>', 'a live database holding schema and data: costed with HypoPG hypothetical indexes, read-only; without --workload, the workload is its pg_stat_statements')
    .option('--max-indexes <n>', 'propose at most n indexes (default 10)', wholeNumber)
    .option('--max-size <mb>', 'total size of the proposed indexes at most this many MB', positiveNumber)
    .option('--write-weight <x>', 'multiply the write cost charged per index (default 1)', positiveNumber)
    .option('--sample-rows <n>', 'a server without HypoPG: rows copied per table into embedded PGlite (default 100000)', wholeNumber)
    .option('--top <n>', 'with pg_stat_statements: the n statements with the most total time (default 50)', wholeNumber)
    .option('--apply [dir]', "write the proposals as a migration (outside a transaction, with a down step) in the project's layout: the one migrations folder under the current directory, or DIR; then lint it")
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml)')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings (each proposal is one)', wholeNumber)
    .option('--no-color', 'plain text output')
    .option('--encoding <name>', 'encoding of the SQL files (default: utf-8)');
  addEnvironmentOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ pgarch advise indexes --schema examples/advisor/schema.sql --schema examples/advisor/data.sql --workload examples/advisor/workload.sql
  $ pgarch advise indexes --schema db/schema.sql --rows orders=1e6 --workload queries/ --max-indexes 5
  $ pgarch advise indexes --database postgres://localhost/app --workload queries/   # HypoPG, read-only
  $ pgarch advise indexes --database postgres://localhost/app --top 30 --format json # from pg_stat_statements
  $ pgarch advise indexes --database postgres://localhost/app --workload queries/ --apply db/migrations

Costs are the planner's, per call, times each query's weight. Writes (INSERT, UPDATE, DELETE in the
workload) charge every index that must be maintained, so an index on a table written far more than
read is not proposed. Method: greedy selection with re-costing over the workload, after Extend
(Schlosser, Kossmann, Boissier, ICDE 2019).
--apply writes in the folder's own layout (dbmate, goose, golang-migrate, Flyway, diesel, Prisma,
Supabase, sqitch, graphile-migrate, plain numbered files; an empty folder gets dbmate-style sections),
never overwriting a file, and lints the new migration with the history before it.
Exit codes: 0 advice given, 1 error findings (a query that does not parse or plan, or in the written
migration), 2 usage/input/connection error.`,
  );
  cmd.action((opts: AdviseCliOptions) =>
    runCommand(async () => {
      const config = withEnvironment(readConfig({ config: opts.config, encoding: opts.encoding, format: 'text' }), opts);
      const [{ adviseIndexes }, { applyAdvice }, { formatAdviceText }, { allRules }] = await Promise.all([
        import('../advise/advise.js'),
        import('../advise/apply.js'),
        import('../advise/render-text.js'),
        import('../rules/registry.js'),
      ]);
      const report = await adviseIndexes({
        workload: opts.workload,
        schema: opts.schema,
        rows: opts.rows,
        database: resolveDatabase(opts),
        maxIndexes: opts.maxIndexes,
        maxSizeMb: opts.maxSize,
        writeWeight: opts.writeWeight,
        top: opts.top,
        sampleRows: opts.sampleRows,
        config,
        setup: opts.setup,
        progress: process.stderr.isTTY ? (m) => process.stderr.write(`\r\x1b[K${m}`) : undefined,
      });
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      const applied = opts.apply && report.advice ? await applyAdvice(report.advice, opts.apply === true ? undefined : opts.apply, { config, ...(opts.schema ? { schema: opts.schema } : {}) }) : undefined;
      const color = useColor(opts);
      const text =
        opts.format === 'text'
          ? formatAdviceText(report, { color }) + (applied ? `\n\n${formatApplied(applied, color)}` : '')
          : opts.format === 'json'
            ? // The shared contract first, then the advice itself.
              JSON.stringify({ ...JSON.parse(formatReport(report, 'json', { color })), ...(report.advice ? { advice: report.advice } : {}), ...(applied ? { applied: { files: applied.files, dir: applied.dir, layout: applied.layout, findings: applied.findings, ...(applied.notLinted ? { notLinted: applied.notLinted } : {}) } } : {}) }, null, 2)
            : formatReport(applied ? { ...report, findings: [...report.findings, ...applied.findings] } : report, opts.format, { color, rules: allRules() });
      writeResult(text, opts.output);
      return Math.max(exitCodeFor(report.findings, opts.maxWarnings), applied ? exitCodeFor(applied.findings) : 0);
    }),
  );
  advise.addCommand(cmd);
  return advise;
}

function formatApplied(applied: Applied & { report?: Report }, color: boolean): string {
  const lines = [`Wrote ${applied.files.join(', ')} (${applied.layout}, outside a transaction)`];
  if (applied.notLinted) lines.push(`Migration lint: not run: ${applied.notLinted}.`);
  else if (!applied.findings.length || !applied.report) lines.push('Migration lint: no findings on it.');
  else lines.push('Migration lint on it:', formatText(applied.report, { color }));
  return lines.join('\n');
}
