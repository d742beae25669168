import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { ExplainReport } from '../explain/explain.js';
import { discoverSqlFiles, InputError, readInputFile } from '../lint/files.js';
import { exitCodeFor } from '../report/index.js';
import { collectRows } from './lint.js';
import { addEnvironmentOptions, collect, EXIT_USAGE, progressReporter, readConfig, resolveDatabase, runCommand, useColor, wholeNumber, withEnvironment, writeResult } from './common.js';

interface ExplainCliOptions {
  database?: string;
  schema?: string[];
  rows?: Record<string, number>;
  param?: string[];
  analyze: boolean;
  plan?: string[];
  html?: string;
  format: 'text' | 'json';
  output?: string;
  config?: string;
  encoding?: string;
  color: boolean;
  quiet?: boolean;
  maxWarnings?: number;
  setup?: string[];
  profile?: 'default' | 'supabase';
}

export function explainCommand(): Command {
  const cmd = new Command('explain')
    .description('EXPLAIN (ANALYZE, BUFFERS) a query inside a rolled-back transaction, or read a plan you have; show the plan tree with the time per node and insights')
    .argument('[query]', 'a SQL file or directory of queries, the SQL text itself, or - for stdin')
    .option('--schema <path>', 'schema SQL file or directory applied first (repeatable); embedded PGlite unless --database', collect)
    .option('--rows <table=N>', 'generate N rows matching the column types and constraints (repeatable)', collectRows)
    .option('--param <value>', 'value for $1, $2 … in order (repeatable); without values a generic plan is shown', collect)
    .option('--no-analyze', 'plan only: do not execute the query')
    .option('--plan <file>', 'analyse an existing plan: EXPLAIN JSON or text as psql prints it; - for stdin (repeatable)', collect)
    .option('--html <file>', 'also write a self-contained HTML page of the plan (no network needed to view it)')
    .option('-d, --database <url>', 'PostgreSQL URL: the query runs there (rolled back); with --schema, in a scratch database there, inside one transaction that is rolled back: no role, setting or other database changes')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml)')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', wholeNumber)
    .option('-q, --quiet', 'report errors only')
    .option('--no-color', 'plain text output')
    .option('--encoding <name>', 'encoding of the SQL files (default: utf-8; e.g. latin1, windows-1252, utf-16le)');
  addEnvironmentOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ pgarch explain "select * from orders where status = 'pending'" --schema db/schema.sql --rows orders=200000
  $ pgarch explain queries/report.sql --schema db/migrations --rows orders=1e5 --html plan.html
  $ pgarch explain "select * from orders where customer_id = \\$1" --schema db/schema.sql --param 42
  $ pgarch explain queries/slow.sql --database postgres://localhost/app       # runs there, rolled back
  $ psql -XqAt -c "explain (analyze, buffers, format json) select …" | pgarch explain --plan -
  $ pgarch explain --plan plan.txt --format json

Every statement runs inside BEGIN … ROLLBACK, so INSERT/UPDATE/DELETE/MERGE change nothing
(sequences still advance). SET statements in a query file apply to the queries after them.
Exit codes: 0 no errors, 1 error findings (or more warnings than --max-warnings), 2 usage/input/connection error.`,
  );
  cmd.action((query: string | undefined, opts: ExplainCliOptions) =>
    runCommand(async () => {
      const config = withEnvironment(readConfig({ config: opts.config, encoding: opts.encoding, format: 'text' }), opts);
      const [{ explainGivenPlans, explainQueries }, { formatExplainText }] = await Promise.all([import('../explain/explain.js'), import('../explain/render-text.js')]);
      let report: ExplainReport;
      if (opts.plan?.length) {
        if (query) throw new InputError('give either a query or --plan, not both');
        report = await explainGivenPlans(opts.plan.map((file) => ({ name: file === '-' ? '<stdin>' : file, text: file === '-' ? readFileSync(0, 'utf8') : readInputFile(file) })), config);
      } else {
        if (!query) {
          process.stderr.write('pgarch: give a query (SQL text, a file, or - for stdin), or --plan FILE\n');
          return EXIT_USAGE;
        }
        report = await explainQueries({
          ...queryInput(query),
          schema: opts.schema,
          rows: opts.rows,
          database: resolveDatabase(opts),
          analyze: opts.analyze,
          params: opts.param,
          config,
          setup: opts.setup,
          progress: progressReporter('explaining'),
        });
      }
      if (opts.html) await writeHtml(report, opts.html);
      const color = useColor(opts);
      writeResult(opts.format === 'json' ? JSON.stringify(report, null, 2) : formatExplainText(report, { color, quiet: opts.quiet }), opts.output);
      return exitCodeFor(report.findings, opts.maxWarnings);
    }),
  );
  return cmd;
}

/** A path that exists is a file (or directory) of queries; anything else is the SQL itself. */
function queryInput(query: string): { files?: string[]; sql?: string } {
  if (query === '-') return { sql: readFileSync(0, 'utf8') };
  if (existsSync(query)) return { files: statSync(query).isDirectory() ? discoverSqlFiles([query]) : [query] };
  if (/^[\w./\\-]+\.sql$/i.test(query)) throw new InputError(`no such file: ${query}`);
  return { sql: query };
}

/** One page per plan: out.html, then out-2.html, out-3.html … when several queries were explained. */
async function writeHtml(report: ExplainReport, path: string): Promise<void> {
  if (report.plans.length === 0) {
    process.stderr.write('pgarch: no plan to write as HTML (every query failed)\n');
    return;
  }
  const { renderPlanHtml } = await import('../explain/html.js');
  report.plans.forEach((explained, i) => {
    const target = i === 0 ? path : path.replace(/(\.html?)?$/i, (ext) => `-${i + 1}${ext || '.html'}`);
    const where = explained.location?.file ? `${explained.location.file}${explained.location.line ? `:${explained.location.line}` : ''}` : undefined;
    writeFileSync(target, renderPlanHtml(explained, { title: where ? `pgarch explain — ${where}` : 'pgarch explain', query: explained.query }));
    process.stderr.write(`wrote ${target}\n`);
  });
}
