// The on-disk cache of a migration history's engine state. After a long history has run, the embedded
// engine's data directory after the last migration but one, and after the last, is saved with the
// findings each migration got; a later run whose files agree up to such a point starts from it instead
// of executing the history again. That is the edit loop of a pull request: the last migration changes,
// everything before it does not.
//
// An entry is keyed by a hash chain: the root covers what every finding depends on besides the files
// (pgarch and PGlite versions, the config, row sources, the environment's SQL, the extensions loaded),
// and each link adds one migration (its path as given, its up and down text, its layout and whether a
// deployment starts before it). Findings with and without the cache are the same because an entry is
// only written when nothing failed before it (the failure grouping of later errors is not stored), and
// an entry that does not parse, names another key, or whose files do not hash to its digest is removed
// and the history runs again: an entry is never trusted.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Engine } from '../engine/types.js';
import type { Finding } from '../types.js';
import type { Migration } from './layouts/types.js';
import type { RollbackTest } from './rollback-test.js';
import type { RuntimeEstimate } from './runtime-estimate.js';

/**
 * Bump when what an entry holds, or what a finding depends on, changes shape: entries keep findings, and
 * the version of pgarch in the key does not change between builds of one release. 5: views and
 * materialized views made in a deployment are new to the rules.
 */
const FORMAT = 5;
/** Entries kept (most recently used first): each is a data directory of 40–70 MB, packed. */
const KEEP_ENTRIES = 4;
/**
 * Save only where running the history again would cost more than restoring it: restoring reads ~60 MB
 * and starts PostgreSQL on it (about a second here), and statements run at about 1 ms each, so short
 * histories are faster to re-run. Counted in statements, not measured in time, so the same files are
 * cached or not whatever the machine's load.
 */
export const SAVE_FROM_STATEMENTS = 1500;

export interface CacheEntry {
  format: number;
  key: string;
  /** How many migrations of the history the state holds. */
  prefix: number;
  /** Statements of the environment and those migrations. */
  statements: number;
  /** The data directory's digest (see copyDataDir). */
  digest: string;
  /** Findings of applying the environment, and the objects it made (no finding is about them). */
  environment: Finding[];
  environmentObjects: string[];
  /** Each migration's rule and execution findings, in history order (parse findings are not stored). */
  migrations: Finding[][];
  /** Rollbacks tested and runtimes estimated in the prefix, by up file (rollback-test.ts, runtime-estimate.ts). */
  rollbacks: Record<string, RollbackTest>;
  runtimes: Record<string, RuntimeEstimate[]>;
}

export interface CacheHit {
  entry: CacheEntry;
  /** The entry's data directory, packed (data-dir.ts). */
  dataFile: string;
}

/** Where pgarch keeps its cache: --cache-dir, PGARCH_CACHE_DIR, the nearest node_modules/.cache/pgarch, else ~/.cache/pgarch. */
export function defaultCacheDir(from = process.cwd()): string {
  if (process.env.PGARCH_CACHE_DIR) return process.env.PGARCH_CACHE_DIR;
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'pgarch');
    if (dirname(dir) === dir) break;
  }
  return process.env.XDG_CACHE_HOME ? join(process.env.XDG_CACHE_HOME, 'pgarch') : join(homedir() || tmpdir(), '.cache', 'pgarch');
}

/** Whether a deployment starts before each migration (consecutive --since migrations deploy together). */
export type DeployPlan = boolean[];

export class HistoryCache {
  private readonly root: string;

  constructor(dir: string) {
    this.root = join(dir, 'history');
  }

  /** Key of each prefix: keys[i] is the state after migrations[0..i]. */
  chain(material: unknown, migrations: Migration[], deploys: DeployPlan): string[] {
    let key = hash(JSON.stringify({ format: FORMAT, material }));
    return migrations.map((m, i) => {
      key = hash(JSON.stringify([key, m.file, m.id, m.layout, m.transaction, m.noTransaction ?? null, deploys[i], m.text.slice(m.up.start, m.up.end), m.down ? [m.down.file, m.down.text.slice(m.down.start, m.down.end)] : null]));
      return key;
    });
  }

  /** The longest prefix with a readable entry, or none. */
  lookup(keys: string[]): CacheHit | undefined {
    for (let i = keys.length - 1; i >= 0; i--) {
      const dir = join(this.root, keys[i]);
      if (!existsSync(join(dir, 'entry.json'))) continue;
      const entry = readEntry(dir);
      if (entry && entry.key === keys[i] && entry.prefix === i + 1 && entry.migrations.length === i + 1) {
        touch(dir);
        return { entry, dataFile: join(dir, 'data.pack') };
      }
      // Unreadable, or another key's under this name: not to be trusted, and not to be found again.
      this.remove(keys[i]);
    }
    return undefined;
  }

  remove(key: string): void {
    rmSync(join(this.root, key), { recursive: true, force: true });
  }

  /** Save the engine's state as the entry for `key`; failing to write is not fatal (a read-only disk). */
  async save(engine: Engine, entry: Omit<CacheEntry, 'format' | 'digest'>): Promise<boolean> {
    if (!engine.saveDataDir) return false;
    const final = join(this.root, entry.key);
    if (existsSync(final)) return true;
    const tmp = join(this.root, `.${entry.key}.${process.pid}.tmp`);
    try {
      mkdirSync(tmp, { recursive: true });
      const digest = await engine.saveDataDir(join(tmp, 'data.pack'));
      const full: CacheEntry = { format: FORMAT, digest, ...entry };
      writeFileSync(join(tmp, 'entry.json'), JSON.stringify(full));
      // Rename last, so a concurrent run never reads half an entry.
      renameSync(tmp, final);
      this.prune();
      return true;
    } catch {
      rmSync(tmp, { recursive: true, force: true });
      return false;
    }
  }

  /** Keep the most recently used entries only. */
  private prune(): void {
    const entries = readdirSync(this.root)
      .filter((n) => !n.startsWith('.'))
      .map((n) => ({ n, at: mtimeOf(join(this.root, n, 'entry.json')) }))
      .sort((a, b) => b.at - a.at);
    for (const { n } of entries.slice(KEEP_ENTRIES)) this.remove(n);
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

function readEntry(dir: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(join(dir, 'entry.json'), 'utf8')) as CacheEntry;
    const ok =
      entry?.format === FORMAT &&
      typeof entry.key === 'string' &&
      typeof entry.digest === 'string' &&
      Number.isInteger(entry.prefix) &&
      Array.isArray(entry.environment) &&
      Array.isArray(entry.environmentObjects) &&
      Array.isArray(entry.migrations) &&
      entry.migrations.every(Array.isArray) &&
      typeof entry.rollbacks === 'object' &&
      entry.rollbacks !== null &&
      typeof entry.runtimes === 'object' &&
      entry.runtimes !== null;
    return ok ? entry : undefined;
  } catch {
    return undefined;
  }
}

function touch(dir: string): void {
  try {
    const now = new Date();
    utimesSync(join(dir, 'entry.json'), now, now);
  } catch {
    // Recency is only for pruning.
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
