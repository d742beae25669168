// What the sessions are doing now: blocked queries with their blockers, long-running queries, and
// transactions left idle. One read of pg_stat_activity each; pgarch's own session is left out.
import type { Finding } from '../../types.js';
import type { HealthCheck, HealthThresholds } from '../types.js';

interface Session {
  pid: number;
  usename: string | null;
  state: string | null;
  seconds: number | null;
  idle_seconds: number | null;
  query: string;
  blockers: number[];
  /** The relation a waiting session waits to lock. */
  waiting_on: string | null;
}

const SESSIONS = `select pid, usename, state, extract(epoch from now() - query_start)::float8 as seconds,
       extract(epoch from now() - state_change)::float8 as idle_seconds, left(query, 300) as query,
       pg_blocking_pids(pid) as blockers,
       (select l.relation::regclass::text from pg_locks l where l.pid = a.pid and not l.granted and l.locktype = 'relation' limit 1) as waiting_on
  from pg_stat_activity a
 where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`;

const short = (q: string) => q.replace(/\s+/g, ' ').trim().slice(0, 120);

export const blockedQuery: HealthCheck = {
  id: 'blocked-query',
  severity: 'error',
  summary: 'A query waiting on a lock another session holds, with the chain of blockers (pg_blocking_pids) up to the one holding everyone up.',
  async run({ db }) {
    const { rows } = await db.query<Session>(SESSIONS);
    const byPid = new Map(rows.map((r) => [r.pid, r]));
    const out: Finding[] = [];
    for (const s of rows) {
      if (!s.blockers.length) continue;
      // The chain up to a session that nothing blocks: the root of the tree.
      const chain: number[] = [];
      let at: Session | undefined = s;
      while (at && at.blockers.length && !chain.includes(at.blockers[0])) {
        chain.push(at.blockers[0]);
        at = byPid.get(at.blockers[0]);
      }
      const root = byPid.get(chain[chain.length - 1]);
      out.push({
        rule: 'blocked-query',
        severity: 'error',
        message: `Session ${s.pid} has waited ${Math.round(s.seconds ?? 0)} s for a lock${s.waiting_on ? ` on ${s.waiting_on}` : ''} held by ${s.blockers.map((p) => `session ${p}`).join(', ')}: ${short(s.query)}`,
        object: s.waiting_on ?? `pid ${s.pid}`,
        hint: root
          ? `Blocking chain ${[s.pid, ...chain].join(' ← ')}; the root, session ${root.pid} (${root.state ?? 'unknown'}${root.usename ? `, ${root.usename}` : ''}), runs: ${short(root.query)}. pg_cancel_backend(${root.pid}) cancels its query, pg_terminate_backend(${root.pid}) ends its session.`
          : `Blocked by ${s.blockers.join(', ')}.`,
      });
    }
    return out;
  },
};

/** A check of one kind of session: those `matches` picks become warnings that `describe` words. */
function sessionCheck(id: string, summary: string, matches: (s: Session, t: HealthThresholds) => boolean, describe: (s: Session) => { message: string; hint: string }): HealthCheck {
  return {
    id,
    severity: 'warning',
    summary,
    async run({ db, thresholds }) {
      const { rows } = await db.query<Session>(SESSIONS);
      return rows.filter((s) => matches(s, thresholds)).map((s) => ({ rule: id, severity: 'warning' as const, object: `pid ${s.pid}`, ...describe(s) }));
    },
  };
}

export const longRunningQuery = sessionCheck(
  'long-running-query',
  'A query running longer than the threshold (default 5 minutes).',
  (s, t) => s.state === 'active' && (s.seconds ?? 0) >= t.longRunningSeconds,
  (s) => ({
    message: `Session ${s.pid} has run one query for ${Math.round(s.seconds!)} s: ${short(s.query)}`,
    hint: `EXPLAIN it; pg_cancel_backend(${s.pid}) cancels it. A statement_timeout for the role stops the next one.`,
  }),
);

export const idleInTransaction = sessionCheck(
  'idle-in-transaction',
  'A session idle inside an open transaction longer than the threshold: it holds its locks and holds back vacuum.',
  (s, t) => (s.state === 'idle in transaction' || s.state === 'idle in transaction (aborted)') && (s.idle_seconds ?? 0) >= t.idleInTransactionSeconds,
  (s) => ({
    message: `Session ${s.pid} has been idle in a transaction for ${Math.round(s.idle_seconds!)} s (last query: ${short(s.query)})`,
    hint: `It keeps its locks and holds back vacuum. Set idle_in_transaction_session_timeout; pg_terminate_backend(${s.pid}) ends it now.`,
  }),
);
