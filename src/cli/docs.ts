import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { formatReport } from '../report/index.js';
import { addEnvironmentOptions, collect, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, progressReporter, readConfig, requireInput, resolveDatabase, runCommand, useColor, withEnvironment, writeResult, type EnvironmentOptions } from './common.js';

interface DocsCliOptions extends EnvironmentOptions {
  out: string;
  database?: string;
  live?: boolean;
  exposedSchema?: string[];
  format: 'text' | 'json';
  config?: string;
  encoding?: string;
  color: boolean;
}

export function docsCommand(): Command {
  const cmd = new Command('docs')
    .description('schema documentation: a markdown page per table (columns, constraints, indexes, references in and out, row estimate, the schema-lint findings), an index, and ERDs as SVG and Mermaid per schema, per group and whole')
    .argument('[paths...]', 'SQL files or migration directories, read as `lint schema` reads them')
    .requiredOption('--out <dir>', 'directory to write the docs to (created; files of the same names are replaced)')
    .option('-d, --database <url>', 'PostgreSQL URL (default: $DATABASE_URL): without paths its live catalog is read, read-only; with paths they are applied in a scratch database there that is rolled back')
    .option('--live', 'with --database and paths: document the database as it is; the files only locate findings')
    .option('--exposed-schema <name>', 'a schema clients can reach, for the RLS rules (repeatable; default public)', collect)
    .addOption(new Option('-f, --format <format>', 'what is printed about the files written').choices(['text', 'json']).default('text'))
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml)')
    .option('--no-color', 'plain text output')
    .option('--encoding <name>', 'encoding of the SQL files (default: utf-8; e.g. latin1, windows-1252, utf-16le)');
  addEnvironmentOptions(cmd).addHelpText(
    'after',
    `
Writes:
  DIR/index.md               every table with its row estimate and findings, the ERDs, Mermaid blocks
  DIR/tables/SCHEMA.TABLE.md one page per table
  DIR/erd/schema-NAME.svg    one diagram per schema (and .mmd: the Mermaid erDiagram)
  DIR/erd/group-NAME.svg     one per group: tables whose comment says \`pgarch.group: NAME\`
  DIR/erd/all.svg            the whole schema

Examples:
  $ pgarch docs db/migrations --out docs/schema                  # embedded PGlite, no server needed
  $ pgarch docs db/schema.sql --out docs/schema --format json
  $ pgarch docs --database postgres://localhost/app --out docs/schema   # live catalog, read-only, real row estimates

Groups: COMMENT ON TABLE invoices IS 'Issued invoices. pgarch.group: billing' puts invoices in the
billing diagram too; every table is in its schema's diagram and the whole one.

Exit codes: 0 written, 1 written but some SQL failed to parse or apply (the docs lack what it builds), 2 usage/input/connection error.`,
  );
  cmd.action((paths: string[], opts: DocsCliOptions) =>
    runCommand(async () => {
      const database = resolveDatabase(opts);
      if (paths.length === 0 && !database) {
        process.stderr.write('pgarch: give SQL files or directories, or --database URL to document a live database\n');
        return EXIT_USAGE;
      }
      const base = withEnvironment(readConfig({ config: opts.config, encoding: opts.encoding, format: 'text' }), opts);
      const config = { ...base, exposedSchemas: opts.exposedSchema ?? base.exposedSchemas };
      const { writeSchemaDocs } = await import('../docs/schema-docs.js');
      const result = await writeSchemaDocs({ paths, database, live: opts.live, config, setup: opts.setup, out: opts.out, progress: progressReporter('applying') });
      if (!opts.live) requireInput(result.report, paths);
      const color = useColor({ color: opts.color });
      if (result.inputFailures.length) {
        // What did not apply, as `lint schema` reports it, on stderr: stdout stays the list of files.
        const failures = { ...result.report, findings: result.inputFailures, summary: { ...result.report.summary, errors: result.inputFailures.length, warnings: 0, infos: 0 } };
        process.stderr.write(`${formatReport(failures, 'text', { color: color && Boolean(process.stderr.isTTY) })}\n`);
      }
      if (opts.format === 'json') {
        writeResult(
          JSON.stringify(
            {
              tool: 'pgarch',
              version: VERSION,
              out: result.out,
              tables: result.tables,
              files: result.files,
              findings: result.report.findings.length,
              inputFailures: result.inputFailures,
              elapsedMs: result.elapsedMs,
            },
            null,
            2,
          ),
          undefined,
        );
      } else {
        const pages = result.files.filter((f) => f.kind === 'table').length;
        const lines = [
          `wrote ${result.out}/index.md`,
          `wrote ${pages} table page${pages === 1 ? '' : 's'} in ${result.out}/tables/`,
          ...result.files.filter((f) => f.kind === 'svg' || f.kind === 'mermaid').map((f) => `wrote ${result.out}/${f.path}`),
          `${result.tables} table${result.tables === 1 ? '' : 's'}, ${result.report.findings.length - result.inputFailures.length} finding(s) from the schema rules on the pages, in ${(result.elapsedMs / 1000).toFixed(1)} s`,
        ];
        writeResult(lines.join('\n'), undefined);
      }
      return result.inputFailures.length ? EXIT_FINDINGS : EXIT_OK;
    }),
  );
  return cmd;
}
