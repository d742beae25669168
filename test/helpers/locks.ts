// Two sessions of a test's own: one holds ACCESS EXCLUSIVE on a table, as a migration does, and the
// other runs a query that waits behind it. Health and the dashboard must report the pair.
import pg from 'pg';

/** Wait until `ready` holds (statistics reach their views up to a second late); fails after 10 s. */
export async function until(what: string, ready: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface HeldLock {
  holderPid: number;
  waiterPid: number;
  /** Roll the holder back (the waiter then finishes) and close both sessions. */
  release(): Promise<void>;
}

/** `table` locked ACCESS EXCLUSIVE by one session, and `waitingQuery` waiting for it in another. */
export async function holdAccessExclusive(url: string, table: string, waitingQuery: string): Promise<HeldLock> {
  const holder = new pg.Client({ connectionString: url });
  const waiter = new pg.Client({ connectionString: url });
  await holder.connect();
  await waiter.connect();
  const holderPid: number = (await holder.query('select pg_backend_pid() as pid')).rows[0].pid;
  const waiterPid: number = (await waiter.query('select pg_backend_pid() as pid')).rows[0].pid;
  // The table name is the test's own constant; identifiers cannot be parameters.
  await holder.query(`begin; lock table ${table} in access exclusive mode`);
  const waiting = waiter.query(waitingQuery).catch(() => {});
  // Asked from a third session: inside the holder's transaction pg_stat_activity would stay as first read.
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  try {
    await until('the waiter to wait', async () => (await probe.query(`select count(*)::int as n from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [waiterPid])).rows[0].n === 1);
  } finally {
    await probe.end();
  }
  return {
    holderPid,
    waiterPid,
    async release() {
      await holder.query('rollback').catch(() => {});
      await waiting;
      await holder.end().catch(() => {});
      await waiter.end().catch(() => {});
    },
  };
}
