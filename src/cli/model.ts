import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Command, Option } from 'commander';
import { InputError } from '../lint/files.js';
import { resolveProfile } from '../lint/environment.js';
import { addEnvironmentOptions, collect, readConfig, resolveDatabase, runCommand, withEnvironment, writeResult, type EnvironmentOptions } from './common.js';

interface ModelCliOptions extends EnvironmentOptions {
  from?: string[];
  database?: string;
  out?: string;
  queries?: string;
  name?: string;
  enums?: boolean;
  schema?: string;
  format: 'text' | 'json';
  output?: string;
  config?: string;
}

export function modelCommand(): Command {
  const cmd = new Command('model')
    .description('Generate DDL from a model file (YAML) by the table template: uuid keys, NOT NULL fields, status CHECKs, indexed foreign keys, audit and soft delete columns, junction tables, trees, row level security, comments; or read an existing schema back as a model file')
    .argument('[file]', 'the model file (YAML), e.g. examples/model/shop.yaml')
    .option('--from <path>', 'read the model of the schema these SQL files or migration folders build (repeatable)', collect)
    .option('-d, --database <url>', 'with --from: build the schema in a scratch database there (rolled back); alone: read the model of that live database (read-only)')
    .option('--out <dir>', 'write the DDL as a migration into this folder, in the layout of the tool found there (a new or empty folder gets pgarch\'s own template: <timestamp>_<name>.sql with -- migrate:up/down sections, which pgarch migrate up runs)')
    .option('--queries <dir>', 'also write the query files the model implies (a recursive CTE per tree) into this folder')
    .option('--name <name>', 'the migration\'s name (default: create_<model file name>)')
    .option('--enums', 'status columns as enum types instead of CHECK constraints (also enums: true in the model)')
    .option('--schema <name>', 'with --from/--database: the PostgreSQL schema to read (default public)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the DDL (or the model) to a file instead of stdout')
    .option('-c, --config <file>', 'config file (default: ./pgarch.config.json|yaml)');
  addEnvironmentOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ pgarch model examples/model/shop.yaml                      # print the DDL
  $ pgarch model examples/model/shop.yaml --profile supabase   # policies with (select auth.uid()), RLS on every table
  $ pgarch model examples/model/shop.yaml --out db/migrations --queries db/queries
  $ pgarch model examples/model/shop.yaml --enums --format json
  $ pgarch model --from db/migrations > model.yaml             # the model of an existing schema
  $ pgarch model --database postgres://localhost/app -o model.yaml

Profiles: supabase policies compare the owner column with (select auth.uid()) for the authenticated
role, and tables without an owner are readable by anon and authenticated (written by the service
role). A plain server has no auth.uid(): the default profile's policies compare with the
app.user_id setting, which the application sets per transaction (set local app.user_id = '…').
Exit codes: 0 done, 2 usage, model file, input or connection error.`,
  );
  cmd.action((file: string | undefined, opts: ModelCliOptions) =>
    runCommand(async () => {
      const config = withEnvironment(readConfig({ config: opts.config, format: 'text' }), opts);
      const database = resolveDatabase({ database: opts.database });
      if (file && (opts.from?.length || opts.database)) throw new InputError('give either a model file (to generate DDL) or --from/--database (to read a model), not both');
      if (!file) {
        if (!opts.from?.length && !database) throw new InputError('give a model file, or --from PATH / --database URL to read one from a schema');
        if (opts.out || opts.queries) throw new InputError('--out and --queries go with a model file');
        const { readModel, modelToYaml } = await import('../model/from-catalog.js');
        const { model, notes } = await readModel({ paths: opts.from, database, config, schema: opts.schema });
        for (const note of notes) process.stderr.write(`pgarch: note: ${note}\n`);
        writeResult(opts.format === 'json' ? JSON.stringify({ model, notes }, null, 2) : modelToYaml(model, `The model of ${opts.from?.join(', ') ?? 'the database'}, read by pgarch model.`).trimEnd(), opts.output);
        return 0;
      }
      const [{ loadModel }, { modelToDdl }] = await Promise.all([import('../model/spec.js'), import('../model/ddl.js')]);
      const model = loadModel(file);
      const profile = resolveProfile([file, ...(opts.out ? [opts.out] : [])], config.profile);
      const ddl = await modelToDdl(model, { enums: opts.enums, profile });
      if (opts.queries) {
        mkdirSync(opts.queries, { recursive: true });
        for (const q of ddl.queries) {
          const target = join(opts.queries, basename(q.file));
          if (existsSync(target)) throw new InputError(`${target} exists already: pgarch does not overwrite it`);
          writeFileSync(target, q.sql, { flag: 'wx' });
          process.stderr.write(`wrote ${target}\n`);
        }
      }
      if (opts.out) {
        const { writeModelMigration } = await import('../model/migration.js');
        const name = opts.name ?? `create_${basename(file, extname(file)).replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`;
        if (!/^[a-z0-9_]+$/.test(name)) throw new InputError(`--name: expected snake_case (a-z, 0-9, _), got "${name}"`);
        const written = writeModelMigration(opts.out, ddl, name);
        if (opts.format === 'json') writeResult(JSON.stringify({ ...written, queries: ddl.queries }, null, 2), opts.output);
        else for (const f of written.files) process.stderr.write(`wrote ${f} (${written.layout})\n`);
      } else if (opts.format === 'json') {
        writeResult(JSON.stringify({ profile, ...ddl }, null, 2), opts.output);
      } else {
        if (opts.output) mkdirSync(dirname(opts.output), { recursive: true });
        writeResult(ddl.sql.trimEnd(), opts.output);
      }
      if (!opts.queries && ddl.queries.length && opts.format !== 'json') {
        process.stderr.write(`pgarch: ${ddl.queries.map((q) => q.file).join(', ')} not written: give --queries DIR to write the tree queries\n`);
      }
      return 0;
    }),
  );
  return cmd;
}
