// What the runner works from: the migration files of a folder (any layout the lint reads), each with
// its version, name and checksum, set against the history table's rows.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { InputError } from '../../lint/files.js';
import { findMigrationSets, type Migration, type MigrationLayout, type MigrationSet } from '../discover.js';
import { dbmateMigration } from '../layouts/dbmate.js';
import { migration as readMigration } from '../layouts/files.js';
import type { HistoryRow } from './history.js';

export interface RunnerMigration {
  /** Version as recorded, e.g. `20261207120000` or `0003`; the id when the name has no leading number. */
  version: string;
  /** The rest of the id, e.g. `add_orders`. */
  name: string;
  /** sha256 of the up step's text: an applied file whose up step changed is refused. */
  checksum: string;
  /** Re-applied whenever its checksum changes (Flyway's R__ files), after the versioned ones. */
  repeatable: boolean;
  migration: Migration;
}

export type MigrationState =
  | 'applied'
  | 'pending'
  /** Applied, but the file's up step is no longer the one that ran. */
  | 'changed'
  /** A no-transaction migration that stopped part of the way (a crash): `up` resumes it. */
  | 'partial'
  /** In the history, with no file for it. */
  | 'missing';

export interface MigrationStatus {
  version: string;
  name: string;
  state: MigrationState;
  file?: string;
  repeatable: boolean;
  appliedAt?: Date;
  executionMs?: number;
  appliedBy?: string;
  /** For partial: statements that ran. */
  statementsDone?: number;
  /** For changed: the checksums recorded and on disk. */
  recordedChecksum?: string;
  checksum?: string;
  baseline?: boolean;
}

/** Reads the folder as its tool lays it out; repeatable R__ files beside a dbmate-style folder are read too. */
export function readRunnerMigrations(dir: string, options: { layout?: MigrationLayout; pattern?: string } = {}): { set: MigrationSet; migrations: RunnerMigration[] } {
  const sets = findMigrationSets([dir], options);
  if (sets.length === 0) throw new InputError(`no migrations found in ${dir}`);
  if (sets.length > 1) throw new InputError(`${dir} holds ${sets.length} migration folders (${sets.map((s) => s.dir).join(', ')}): give the runner one`);
  const set = sets[0];
  const migrations = set.migrations.map(toRunner);
  // pgarch's own (dbmate-style) folders may keep repeatables as R__<name>.sql, which dbmate skips.
  for (const skipped of set.skipped) {
    if (!/^R__.+\.sql$/i.test(basename(skipped.file))) continue;
    const m = readMigration(skipped.file, set.layout, 'transaction', basename(skipped.file).replace(/\.sql$/i, ''));
    migrations.push(toRunner(dbmateMigration(m) ?? m));
  }
  const seen = new Map<string, string>();
  for (const m of migrations) {
    const other = seen.get(m.version);
    if (other) throw new InputError(`two migrations have version ${m.version}: ${other} and ${m.migration.file}`);
    seen.set(m.version, m.migration.file);
  }
  return { set, migrations: [...migrations.filter((m) => !m.repeatable), ...migrations.filter((m) => m.repeatable)] };
}

function toRunner(m: Migration): RunnerMigration {
  const id = basename(m.id);
  const repeatable = /^R__/i.test(id);
  // Flyway: V1_2__name (version 1.2); the others lead with digits up to the first `_`: dbmate's and
  // goose's 20240101120000, golang-migrate's 000001, diesel's 2019-02-26-002946, numbered 0001.
  const versioned = m.layout === 'flyway' ? /^V(\d+(?:[._]\d+)*)__(.*)$/i.exec(id) : /^(\d[\d-]*?)(?:_(.*))?$/.exec(id);
  const version = repeatable ? id : versioned ? (m.layout === 'flyway' ? versioned[1].replace(/_/g, '.') : versioned[1]) : id;
  const name = repeatable ? id.slice(3) : versioned ? (versioned[2] ?? '').replace(/\.(up|down)$/, '') || id : id;
  return { version, name, checksum: checksum(upText(m)), repeatable, migration: m };
}

export function upText(m: Migration): string {
  return m.text.slice(m.up.start, m.up.end);
}

export function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Each migration's state, in the order they run, then what the history holds without a file. */
export function statuses(migrations: RunnerMigration[], history: Map<string, HistoryRow>): MigrationStatus[] {
  const out: MigrationStatus[] = [];
  for (const m of migrations) {
    const row = history.get(m.version);
    const base = { version: m.version, name: m.name, file: m.migration.file, repeatable: m.repeatable, checksum: m.checksum };
    if (!row) {
      out.push({ ...base, state: 'pending' });
      continue;
    }
    const recorded = { appliedAt: row.appliedAt, executionMs: row.executionMs, appliedBy: row.appliedBy, recordedChecksum: row.checksum, ...(row.kind === 'baseline' ? { baseline: true } : {}) };
    if (row.statementsDone !== null) out.push({ ...base, ...recorded, state: 'partial', statementsDone: row.statementsDone });
    else if (row.checksum !== m.checksum && row.kind !== 'baseline') out.push({ ...base, ...recorded, state: m.repeatable ? 'pending' : 'changed' });
    else out.push({ ...base, ...recorded, state: 'applied' });
  }
  const known = new Set(migrations.map((m) => m.version));
  for (const row of history.values()) {
    if (!known.has(row.version)) out.push({ version: row.version, name: row.name, state: 'missing', repeatable: row.kind === 'repeatable', appliedAt: row.appliedAt, executionMs: row.executionMs, appliedBy: row.appliedBy, recordedChecksum: row.checksum });
  }
  return out;
}

