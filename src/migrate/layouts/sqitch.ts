// sqitch: the plan (sqitch.plan, or the plan_file / top_dir of sqitch.conf) orders the changes;
// deploy/<change>.sql is the up step, revert/<change>.sql the down, verify/ checks it. A change
// reworked after a tag keeps its older script as deploy/<change>@<tag>.sql. sqitch runs each script
// with psql, adding no transaction (its template writes BEGIN/COMMIT into the file). Bookkeeping: the
// sqitch schema.
import { join } from 'node:path';
import { InputError } from '../../lint/files.js';
import { migration, readText, withDownFile, isFile } from './files.js';
import type { Layout, MigrationSet } from './types.js';

export const sqitch: Layout = {
  name: 'sqitch',
  tool: 'sqitch',
  bookkeeping: `CREATE SCHEMA IF NOT EXISTS sqitch;\nCREATE TABLE IF NOT EXISTS sqitch.changes (change_id text PRIMARY KEY, script_hash text, change text NOT NULL, project text NOT NULL, note text NOT NULL DEFAULT '', committed_at timestamptz NOT NULL DEFAULT clock_timestamp(), committer_name text NOT NULL, committer_email text NOT NULL, planned_at timestamptz NOT NULL, planner_name text NOT NULL, planner_email text NOT NULL);\nCREATE TABLE IF NOT EXISTS sqitch.tags (tag_id text PRIMARY KEY, tag text NOT NULL, project text NOT NULL, change_id text NOT NULL REFERENCES sqitch.changes);`,
  detect(dir) {
    return isFile(join(dir, 'sqitch.plan')) || isFile(join(dir, 'sqitch.conf'));
  },
  read(dir): MigrationSet {
    const { plan, top, deployDir, revertDir } = sqitchLocations(dir);
    if (!isFile(plan)) throw new InputError(`${plan}: sqitch plan not found`);
    const lines = planLines(readText(plan));
    const migrations = lines.flatMap((line, i) => {
      if (line.kind !== 'change') return [];
      // A change named again later was reworked: this occurrence's script carries the next tag.
      const later = lines.findIndex((l, j) => j > i && l.kind === 'change' && l.name === line.name);
      const tag = later < 0 ? undefined : lines.slice(i + 1, later).find((l) => l.kind === 'tag')?.name;
      const script = `${line.name}${tag ? `@${tag}` : ''}.sql`;
      const file = join(deployDir, script);
      if (!isFile(file)) throw new InputError(`${plan}: change ${line.name} has no deploy script ${file}`);
      return [withDownFile(migration(file, 'sqitch', 'none', line.name), join(revertDir, script))];
    });
    return { dir: top, layout: 'sqitch', tool: this.tool, migrations, skipped: [], setup: [] };
  },
};

/** Where the plan and scripts are: sqitch.conf's [core] top_dir, plan_file, deploy_dir, revert_dir, verify_dir. */
export function sqitchLocations(dir: string): { plan: string; top: string; deployDir: string; revertDir: string; verifyDir: string } {
  const conf = isFile(join(dir, 'sqitch.conf')) ? coreSettings(readText(join(dir, 'sqitch.conf'))) : {};
  const top = join(dir, conf.top_dir ?? '.');
  return {
    plan: conf.plan_file ? join(dir, conf.plan_file) : join(top, 'sqitch.plan'),
    top,
    deployDir: conf.deploy_dir ? join(dir, conf.deploy_dir) : join(top, 'deploy'),
    revertDir: conf.revert_dir ? join(dir, conf.revert_dir) : join(top, 'revert'),
    verifyDir: conf.verify_dir ? join(dir, conf.verify_dir) : join(top, 'verify'),
  };
}

/** The keys of the [core] section of an INI-style sqitch.conf. */
function coreSettings(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) section = header[1].trim().toLowerCase();
    else if (section === 'core') {
      const kv = /^([\w.-]+)\s*=\s*(.*)$/.exec(line);
      if (kv) out[kv[1].toLowerCase()] = kv[2].trim();
    }
  }
  return out;
}

type PlanLine = { kind: 'change' | 'tag'; name: string };

/** Change and tag lines of a plan (pragmas `%…`, comments `#…` and blank lines skipped). */
function planLines(text: string): PlanLine[] {
  const out: PlanLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('%') || line.startsWith('#')) continue;
    const name = line.split(/[\s[]/, 1)[0];
    if (name.startsWith('@')) out.push({ kind: 'tag', name: name.slice(1) });
    else out.push({ kind: 'change', name });
  }
  return out;
}
