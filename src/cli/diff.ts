import { Command, Option } from 'commander';
import { EXIT_FINDINGS, EXIT_OK, runCommand, writeResult } from './common.js';

export function diffCommand(): Command {
  return new Command('diff')
    .description('print the DDL that turns the schema FROM into the schema TO, ordered by their real dependencies (pg_depend)')
    .argument('<from>', 'a SQL file, a folder of migrations (any layout) or SQL files, a model file (.yaml), or a postgres:// URL (read-only)')
    .argument('<to>', 'the schema wanted, in the same forms')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the result to a file')
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch diff db/schema.sql db/schema-next.sql
  $ pgarch diff db/migrations db/schema.sql --format json
  $ pgarch diff postgres://app@localhost/app db/migrations

Files are applied in a fresh embedded PostgreSQL (PGlite) of their own; a URL is read as it is, in a
read-only session. Exit codes (as diff(1)): 0 the schemas are the same, 1 they differ (the DDL is
printed), 2 usage or input error, or a side that does not build.`,
    )
    .action((from: string, to: string, opts: { format: 'text' | 'json'; output?: string }) =>
      runCommand(async () => {
        const { diffSources } = await import('../diff/sources.js');
        const result = await diffSources(from, to);
        const text =
          opts.format === 'json'
            ? JSON.stringify({ statements: result.statements.map((s) => ({ sql: s.sql, kind: s.kind, action: s.action, object: s.object, destructive: s.destructive })), notes: result.notes }, null, 2)
            : result.statements.map((s) => s.sql).join('\n');
        if (opts.format === 'text') for (const note of result.notes) process.stderr.write(`pgarch: note: ${note}\n`);
        if (opts.format === 'json' || text) writeResult(text, opts.output);
        return result.statements.length ? EXIT_FINDINGS : EXIT_OK;
      }),
    );
}
