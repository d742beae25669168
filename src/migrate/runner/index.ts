// The migration runner: `pgarch migrate up | down | redo | status | baseline` against a server
// (--database) or a persistent PGlite directory (--pglite-dir). One runner at a time (lock.ts), each
// migration in a transaction of its own where it can run in one (apply.ts), an applied file whose up
// step changed is refused, and `up` runs the migration lint on what it is about to apply first.
import { hostname } from 'node:os';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Engine } from '../../engine/types.js';
import { InputError } from '../../lint/files.js';
import { extensionsUsed } from '../../lint/apply.js';
import { loadParser } from '../../sql/parse.js';
import type { Finding } from '../../types.js';
import { parseMigration } from '../parse-migration.js';
import { parseStep, planStep, runStep, stepMode, type StepFailure, type StepOptions } from './apply.js';
import { History } from './history.js';
import { acquireAdvisoryLock, acquireFileLock, type LockWait } from './lock.js';
import type { MigrationLayout } from '../discover.js';
import { readRunnerMigrations, statuses, type MigrationStatus, type RunnerMigration } from './plan.js';
import { quoteLiteral } from '../../sql/quote.js';

export interface TargetOptions {
  /** postgres:// URL of the database to migrate. */
  database?: string;
  /** Or a PGlite data directory on disk, created when missing. */
  pgliteDir?: string;
  /** Schema of the history table (default public). */
  schema?: string;
}

export interface RunnerOptions extends TargetOptions, Partial<StepOptions>, LockWait {
  dir: string;
  layout?: MigrationLayout;
  /** Tell each step as it starts and ends. */
  onEvent?: (event: RunnerEvent) => void;
}

export type RunnerEvent =
  | { type: 'start'; migration: RunnerMigration; direction: 'up' | 'down'; inTransaction: boolean; why?: string }
  | { type: 'done'; migration: RunnerMigration; direction: 'up' | 'down'; ms: number }
  | { type: 'note'; migration: RunnerMigration; note: string }
  | { type: 'retry'; migration: RunnerMigration; attempt: number; waitMs: number; message: string };

export interface RunResult {
  /** Target as shown to the user (password redacted). */
  target: string;
  history: string;
  applied: Array<{ version: string; name: string; file: string; ms: number; direction: 'up' | 'down' }>;
  failed?: { version: string; name: string } & StepFailure;
  /** Findings of the lint `up` ran first, when it refused (or was forced past) them. */
  lint?: Finding[];
}

export class ChecksumError extends InputError {}

/** An open target: the engine, what to call it, and how to release what was taken. */
interface Target {
  db: Engine;
  description: string;
  history: History;
  /** Takes the runner lock (the advisory lock; a PGlite directory is locked while open). */
  lock(wait: LockWait): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

async function openTarget(options: TargetOptions, migrations: RunnerMigration[], wait: LockWait): Promise<Target> {
  await loadParser();
  const schema = options.schema ?? 'public';
  if (options.database && options.pgliteDir) throw new InputError('give --database or --pglite-dir, not both');
  if (options.database) {
    const { openServer } = await import('../../engine/server.js');
    const db = await openServer(options.database, { applicationName: `pgarch migrate (${hostname()})` });
    // A runner killed mid-statement: the server stops the statement (and frees the lock) within a second.
    if ((await db.version()).major >= 14) await db.query(`select set_config('client_connection_check_interval', '1000', false)`);
    return { db, description: db.description, history: new History(db, schema), lock: (w) => acquireAdvisoryLock(db, schema, w), close: () => db.close() };
  }
  if (!options.pgliteDir) throw new InputError('give the database to migrate: --database postgres://… (or $DATABASE_URL), or --pglite-dir DIR');
  const dir = resolve(options.pgliteDir);
  mkdirSync(dirname(dir), { recursive: true });
  // Two processes must never open one PGlite directory: the lock is taken before it is opened.
  const releaseFile = await acquireFileLock(`${dir}.pgarch-lock`, wait);
  try {
    const { openPglite } = await import('../../engine/pglite.js');
    const extensions = extensionsUsed(migrations.map((m) => parseMigration(m.migration)));
    const db = await openPglite({ dataDir: dir, extensions });
    return {
      db,
      description: `PGlite directory ${options.pgliteDir}`,
      history: new History(db, schema),
      lock: async () => async () => {},
      close: async () => {
        await db.close();
        releaseFile();
      },
    };
  } catch (error) {
    releaseFile();
    throw error;
  }
}

function stepOptions(options: RunnerOptions): StepOptions {
  return {
    lockTimeoutMs: options.lockTimeoutMs ?? 5000,
    statementTimeoutMs: options.statementTimeoutMs,
    retryLock: options.retryLock ?? 0,
    onRetry: (migration, attempt, waitMs, message) => options.onEvent?.({ type: 'retry', migration, attempt, waitMs, message }),
    onNote: (migration, note) => options.onEvent?.({ type: 'note', migration, note }),
  };
}

export interface StatusResult {
  target: string;
  history: string;
  dir: string;
  layout: string;
  migrations: MigrationStatus[];
}

export async function migrationStatus(options: RunnerOptions): Promise<StatusResult> {
  const { set, migrations } = readRunnerMigrations(options.dir, { layout: options.layout });
  const target = await openTarget(options, migrations, options);
  try {
    return { target: target.description, history: target.history.table, dir: set.dir, layout: set.layout, migrations: statuses(migrations, await target.history.read()) };
  } finally {
    await target.close();
  }
}

export interface UpOptions extends RunnerOptions {
  /** Apply up to and including this version. */
  to?: string;
  /** Apply even when an applied file's up step changed since (its new checksum is recorded). */
  allowChanged?: boolean;
  /** Lint the pending migrations first and refuse error findings (default true). */
  lint?: boolean;
  /** Apply despite error findings of the lint. */
  force?: boolean;
  /** Only the pending migrations (internal: redo re-applies the one it undid). */
  only?: string;
  /** Told the lint's findings before anything is applied. */
  onLint?: (findings: Finding[], refused: boolean) => void;
}

/** Pending migrations in order, up to `to`; changed applied files refused unless allowed. */
function pendingOf(migrations: RunnerMigration[], states: MigrationStatus[], options: Pick<UpOptions, 'to' | 'allowChanged' | 'only'>): RunnerMigration[] {
  if (options.to !== undefined && !migrations.some((m) => m.version === options.to)) throw new InputError(`--to ${options.to}: no migration has that version`);
  const changed = states.filter((s) => s.state === 'changed');
  if (changed.length && !options.allowChanged) {
    throw new ChecksumError(
      `${changed.map((s) => `${s.file} was applied as checksum ${s.recordedChecksum?.slice(0, 12)}… but is now ${s.checksum?.slice(0, 12)}…`).join('; ')}: an applied migration must not change (write a new one), or pass --allow-changed to record the new checksum without running it`,
    );
  }
  const byVersion = new Map(states.map((s) => [s.version, s]));
  const out: RunnerMigration[] = [];
  for (const m of migrations) {
    const state = byVersion.get(m.version)?.state;
    if (options.only !== undefined ? m.version === options.only : state === 'pending' || state === 'partial') out.push(m);
    if (options.to !== undefined && m.version === options.to) break;
  }
  return out;
}

export async function migrateUp(options: UpOptions): Promise<RunResult> {
  const { set, migrations } = readRunnerMigrations(options.dir, { layout: options.layout });
  const target = await openTarget(options, migrations, options);
  const result: RunResult = { target: target.description, history: target.history.table, applied: [] };
  try {
    // What is pending is known before the lock (the lint needs it); it is read again under the lock.
    const before = pendingOf(migrations, statuses(migrations, await target.history.read()), options);
    if (before.length && options.lint !== false) {
      const lint = await lintPending(set.dir, options.layout, before, (options.lockTimeoutMs ?? 5000) > 0, options.database);
      const errors = lint.filter((f) => f.severity === 'error');
      options.onLint?.(lint, errors.length > 0 && !options.force);
      if (errors.length) {
        result.lint = lint;
        if (!options.force) return result;
      }
    }
    const release = await target.lock(options);
    try {
      await target.history.ensure();
      const history = await target.history.read();
      const states = statuses(migrations, history);
      if (options.allowChanged) {
        for (const s of states.filter((x) => x.state === 'changed')) {
          const m = migrations.find((x) => x.version === s.version)!;
          await target.history.record({ version: m.version, name: m.name, checksum: m.checksum, executionMs: s.executionMs ?? 0, kind: 'versioned' });
        }
      }
      const steps = stepOptions(options);
      const pending = pendingOf(migrations, states, options);
      await target.history.stage(pending);
      for (const m of pending) {
        const plan = planStep(m, 'up');
        options.onEvent?.({ type: 'start', migration: m, direction: 'up', inTransaction: plan.inTransaction, why: plan.why });
        const recorded = history.get(m.version);
        const r = await runStep(target.db, target.history, m, 'up', steps, { plan, resumeFrom: recorded?.statementsDone ?? 0, recorded: recorded !== undefined });
        if (!r.ok) {
          result.failed = { version: m.version, name: m.name, ...r.failure };
          break;
        }
        options.onEvent?.({ type: 'done', migration: m, direction: 'up', ms: r.ms });
        result.applied.push({ version: m.version, name: m.name, file: m.migration.file, ms: r.ms, direction: 'up' });
      }
    } finally {
      await release();
    }
    return result;
  } finally {
    await target.close();
  }
}

/** The migration lint on the pending migrations (the applied ones build the catalog first), on the embedded engine. */
async function lintPending(dir: string, layout: UpOptions['layout'], pending: RunnerMigration[], lockTimeoutSet: boolean, statsFrom: string | undefined): Promise<Finding[]> {
  const { lintMigrations } = await import('../lint.js');
  // The runner sets lock_timeout before each migration: missing-lock-timeout is not the files' to fix then.
  // The pending migrations run one after another with no release between them: a table one creates is new in the next.
  const { report } = await lintMigrations({ paths: [dir], layout, only: pending.map((m) => m.migration.file), lockTimeoutSet, statsFrom, deployTogether: true });
  // statsFrom: the target's own table sizes, so a finding on a table that is small there says so.
  return report.findings;
}

export interface DownOptions extends RunnerOptions {
  /** How many applied migrations to undo, newest first (default 1). */
  steps?: number;
}

export async function migrateDown(options: DownOptions): Promise<RunResult> {
  const { migrations } = readRunnerMigrations(options.dir, { layout: options.layout });
  const target = await openTarget(options, migrations, options);
  const result: RunResult = { target: target.description, history: target.history.table, applied: [] };
  try {
    const release = await target.lock(options);
    try {
      const states = statuses(migrations, await target.history.read());
      const missing = states.filter((s) => s.state === 'missing' && !s.repeatable);
      const applied = states.filter((s) => (s.state === 'applied' || s.state === 'changed' || s.state === 'partial') && !s.repeatable).reverse();
      const count = options.steps ?? 1;
      if (missing.length && count > 0) throw new InputError(`the history holds ${missing.map((s) => s.version).join(', ')} with no file: down needs each migration's file (its down step)`);
      const steps = stepOptions(options);
      await target.history.stage(applied.slice(0, count).flatMap((s) => migrations.filter((x) => x.version === s.version)));
      for (const s of applied.slice(0, count)) {
        const m = migrations.find((x) => x.version === s.version)!;
        if (!m.migration.down) throw new InputError(`${m.migration.file} has no down step: it cannot be undone by the runner`);
        const plan = planStep(m, 'down');
        options.onEvent?.({ type: 'start', migration: m, direction: 'down', inTransaction: plan.inTransaction, why: plan.why });
        const r = await runStep(target.db, target.history, m, 'down', steps, { plan });
        if (!r.ok) {
          result.failed = { version: m.version, name: m.name, ...r.failure };
          break;
        }
        options.onEvent?.({ type: 'done', migration: m, direction: 'down', ms: r.ms });
        result.applied.push({ version: m.version, name: m.name, file: m.migration.down.file, ms: r.ms, direction: 'down' });
      }
    } finally {
      await release();
    }
    return result;
  } finally {
    await target.close();
  }
}

/** The newest applied migration's down step, then its up step again. */
export async function migrateRedo(options: RunnerOptions & Pick<UpOptions, 'lint' | 'force' | 'onLint'>): Promise<RunResult> {
  const down = await migrateDown({ ...options, steps: 1 });
  if (down.failed || down.applied.length === 0) return down;
  const up = await migrateUp({ ...options, only: down.applied[0].version, lint: false });
  return { ...up, applied: [...down.applied, ...up.applied] };
}

/** Records the migrations up to `to` (default all) as applied without running them: adopting the runner on an existing database. */
export async function migrateBaseline(options: RunnerOptions & { to?: string }): Promise<RunResult> {
  const { migrations } = readRunnerMigrations(options.dir, { layout: options.layout });
  if (options.to !== undefined && !migrations.some((m) => m.version === options.to)) throw new InputError(`--to ${options.to}: no migration has that version`);
  const target = await openTarget(options, migrations, options);
  const result: RunResult = { target: target.description, history: target.history.table, applied: [] };
  try {
    const release = await target.lock(options);
    try {
      await target.history.ensure();
      const history = await target.history.read();
      for (const m of migrations) {
        if (!m.repeatable && !history.has(m.version)) {
          await target.history.record({ version: m.version, name: m.name, checksum: m.checksum, executionMs: 0, kind: 'baseline' });
          result.applied.push({ version: m.version, name: m.name, file: m.migration.file, ms: 0, direction: 'up' });
        }
        if (m.version === options.to) break;
      }
    } finally {
      await release();
    }
    return result;
  } finally {
    await target.close();
  }
}

/** The SQL `up` would send, as it would send it, without connecting for anything but reading the history. */
export async function migrateDryRun(options: UpOptions): Promise<string> {
  const { migrations } = readRunnerMigrations(options.dir, { layout: options.layout });
  const target = await openTarget(options, migrations, options);
  try {
    const states = statuses(migrations, await target.history.read());
    const out: string[] = [`-- pgarch migrate up --dry-run on ${target.description}: nothing was run`];
    const lockTimeout = `${options.lockTimeoutMs ?? 5000}ms`;
    for (const m of pendingOf(migrations, states, options)) {
      const file = parseStep(m, 'up');
      const mode = stepMode(m, file, 'up');
      const record = `INSERT INTO ${target.history.table} (version, name, checksum, kind) VALUES (${quoteLiteral(m.version)}, ${quoteLiteral(m.name)}, ${quoteLiteral(m.checksum)}, ${quoteLiteral(m.repeatable ? 'repeatable' : 'versioned')});`;
      out.push('', `-- ${m.migration.file}: ${mode.inTransaction ? 'in one transaction' : `statement by statement (${mode.why})`}`);
      if (mode.inTransaction) out.push('BEGIN;', `SET LOCAL lock_timeout = ${quoteLiteral(lockTimeout)};`);
      else out.push(`SET lock_timeout = ${quoteLiteral(lockTimeout)};`);
      for (const s of file.statements) out.push(`${s.text.trim()};`);
      out.push(record);
      if (mode.inTransaction) out.push('COMMIT;');
    }
    if (out.length === 1) out.push('-- nothing pending');
    return out.join('\n');
  } finally {
    await target.close();
  }
}


/** A backfill (backfill.ts) on the target, as the runner opens it. */
export async function runBackfill(target: TargetOptions, options: import('./backfill.js').BackfillOptions): Promise<import('./backfill.js').BackfillProgress> {
  const { backfill } = await import('./backfill.js');
  const t = await openTarget(target, [], {});
  try {
    return await backfill(t.db, options);
  } finally {
    await t.close();
  }
}
