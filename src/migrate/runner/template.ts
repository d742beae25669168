// `pgarch migrate new NAME`: a migration file from the seed's template — a header (name, description,
// reversible), the up section the runner runs in one transaction, and the down section that undoes it.
// dbmate's section markers, so dbmate and pgarch's own lint read it as the runner runs it.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lint/files.js';
import { findMigrationSets } from '../discover.js';

export interface NewMigrationOptions {
  dir: string;
  name: string;
  description?: string;
  /** For CREATE INDEX CONCURRENTLY and the like: the file runs statement by statement. */
  noTransaction?: boolean;
  now?: Date;
}

export function snakeName(name: string): string {
  const snake = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!snake) throw new InputError(`migration name ${JSON.stringify(name)} has no letters or digits`);
  return snake;
}

/** Writes the file and returns its path; never overwrites. */
export function newMigration(options: NewMigrationOptions): string {
  const name = snakeName(options.name);
  if (existsSync(options.dir)) {
    const sets = findMigrationSets([options.dir], { plainFolder: false });
    const other = sets.find((s) => s.layout !== 'dbmate' && s.migrations.length > 0);
    if (other) throw new InputError(`${other.dir} holds ${other.tool} migrations: pgarch migrate new writes pgarch's own (dbmate-style) files, which ${other.tool} would not run; write the new one as ${other.tool} does (pgarch migrate up still runs the folder)`);
  }
  mkdirSync(options.dir, { recursive: true });
  const version = nextVersion(options.dir, options.now ?? new Date());
  const path = join(options.dir, `${version}_${name}.sql`);
  const description = options.description ?? 'TODO: what this migration does, and why';
  const up = options.noTransaction ? '-- migrate:up transaction:false' : '-- migrate:up';
  const down = options.noTransaction ? '-- migrate:down transaction:false' : '-- migrate:down';
  const text = [
    `-- Migration: ${name}`,
    `-- Description: ${description.replace(/\n/g, ' ')}`,
    '-- Reversible: yes (the down section undoes the up section; `pgarch migrate verify` proves it)',
    ...(options.noTransaction
      ? ['-- pgarch:no-transaction', '-- Runs statement by statement (CREATE INDEX CONCURRENTLY cannot run in a transaction); a re-run after a crash resumes.']
      : ['-- The up section runs in one transaction with lock_timeout 5s: it applies whole or not at all.']),
    '',
    up,
    '',
    '',
    down,
    '',
  ].join('\n');
  writeFileSync(path, text, { flag: 'wx' });
  return path;
}

/** A UTC timestamp, YYYYMMDDHHMMSS, after the newest version in the folder. */
function nextVersion(dir: string, now: Date): string {
  const stamp = BigInt(now.toISOString().replace(/[-:T]/g, '').slice(0, 14));
  const newest = readdirSync(dir)
    .map((f) => /^(\d{14})_/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .reduce((max, v) => (BigInt(v) > max ? BigInt(v) : max), 0n);
  return (stamp > newest ? stamp : newest + 1n).toString();
}
