// One runner at a time. On a server: a session-level advisory lock, polled with pg_try_advisory_lock
// rather than waited for in pg_advisory_lock — a waiting pg_advisory_lock call is a transaction with a
// snapshot, and CREATE INDEX CONCURRENTLY in the running migration waits for every such transaction to
// end: the two would wait for each other (Flyway's deadlock). Each poll is a statement of microseconds.
// On a PGlite directory: a lock file beside it, since two processes must never open one data directory.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { InputError } from '../../lint/files.js';
import type { Queryable } from '../../engine/types.js';

/** Another runner holds the lock and --no-wait was given: exit 2, like any refusal to start. */
export class LockBusyError extends InputError {}

export interface LockWait {
  /** Give up at once when another runner holds the lock (--no-wait). */
  noWait?: boolean;
  /** Called once when the lock is busy and the runner starts to wait, with who holds it. */
  onWait?: (holder: string) => void;
  /** Poll interval in ms (default 200). */
  pollMs?: number;
}

/** The advisory lock key of a history table: the same for every runner of that schema. */
const LOCK_KEY_SQL = `('x' || substr(md5($1), 1, 16))::bit(64)::bigint`;

export async function acquireAdvisoryLock(db: Queryable, schema: string, wait: LockWait = {}): Promise<() => Promise<void>> {
  const key = `pgarch_migrations:${schema}`;
  let announced = false;
  for (;;) {
    const { rows } = await db.query<{ locked: boolean }>(`select pg_try_advisory_lock(${LOCK_KEY_SQL}) as locked`, [key]);
    if (rows[0].locked) break;
    const holder = await advisoryHolder(db, key);
    if (wait.noWait) throw new LockBusyError(`another migration runner holds the lock (${holder}): not waiting (--no-wait)`);
    if (!announced) wait.onWait?.(holder);
    announced = true;
    await sleep(wait.pollMs ?? 200);
  }
  return async () => {
    await db.query(`select pg_advisory_unlock(${LOCK_KEY_SQL})`, [key]).catch(() => {});
  };
}

async function advisoryHolder(db: Queryable, key: string): Promise<string> {
  const { rows } = await db.query<{ pid: number; app: string | null; since: string | null }>(
    `select a.pid, a.application_name as app, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS') as since
       from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
        and ((l.classid::bigint << 32) | l.objid::bigint) = ${LOCK_KEY_SQL} limit 1`,
    [key],
  ).catch(() => ({ rows: [] as Array<{ pid: number; app: string | null; since: string | null }> }));
  const r = rows[0];
  return r ? `session ${r.pid}${r.app ? ` (${r.app})` : ''}${r.since ? `, connected since ${r.since}` : ''}` : 'a session that has just ended';
}

/** A lock file for a PGlite data directory: created exclusively, holding the pid; a dead holder's file is taken over. */
export async function acquireFileLock(path: string, wait: LockWait = {}): Promise<() => void> {
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (!pid || !alive(pid)) {
      // Left by a runner that was killed: nobody holds it.
      rmSync(path, { force: true });
      continue;
    }
    if (wait.noWait) throw new LockBusyError(`another migration runner (process ${pid}) holds ${path}: not waiting (--no-wait)`);
    if (!announced) wait.onWait?.(`process ${pid}`);
    announced = true;
    await sleep(wait.pollMs ?? 200);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
