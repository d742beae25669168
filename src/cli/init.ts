import { resolve } from 'node:path';
import { Command } from 'commander';
import { CONFIG_FILE } from '../config.js';
import { EXIT_OK, runCommand } from './common.js';

/** `pgarch init [DIR]`: a commented pgarch.config.yaml for the project found in DIR. */
export function initCommand(): Command {
  const cmd = new Command('init')
    .description(`write a commented ${CONFIG_FILE} for the project in DIR (its migration folders, queries, Supabase)`)
    .argument('[dir]', 'the project folder', '.')
    .option('--force', `overwrite an existing ${CONFIG_FILE}`)
    .addHelpText(
      'after',
      `
Examples:
  $ pgarch init
  $ pgarch init services/billing
  $ pgarch init --force

The file names the migration folders found (and the tool each was read as) and the queries folders;
every key is commented out with its default or an example, except what was detected (profile:
supabase for a Supabase project). An existing pgarch.config.json, .yaml or .yml in DIR is never
overwritten (exit 2); --force replaces ${CONFIG_FILE}. Exit codes: 0 written, 2 usage or input error.`,
    );
  cmd.action((dir: string, opts: { force?: boolean }) =>
    runCommand(async () => {
      const { describeProject, initConfig } = await import('../init/config-file.js');
      const { file, found } = initConfig(dir, opts);
      // The config is read from the working directory: the next command runs in DIR.
      const here = resolve(dir) === process.cwd();
      const lines = [`Wrote ${file}`, ...describeProject(found).map((line) => `  found: ${line}`), `Next: ${here ? '' : `cd ${shellWord(dir)} && `}npx pgarch review .`];
      process.stdout.write(`${lines.join('\n')}\n`);
      return EXIT_OK;
    }),
  );
  return cmd;
}

/** A path as one shell word: as is when it is plain, else single-quoted. */
function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
