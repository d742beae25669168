// `pgarch health`: every check against a live database, each in its own READ ONLY transaction with a
// short lock_timeout and statement_timeout, so that a migration's lock never makes the run wait: a
// check that meets one is a `lock-wait` finding naming the locked table and its holder, and the other
// checks go on.
import { defaultConfig, type Config } from '../config.js';
import { openEngine } from '../engine/index.js';
import { isLocalConnection } from '../engine/conninfo.js';
import { isFatalEngineError, toEngineError, type Engine, type Queryable } from '../engine/types.js';
import { buildReport } from '../lint/policy.js';
import type { Finding, Report } from '../types.js';
import { withAdvice } from './advice.js';
import { healthChecks } from './checks/index.js';
import { DEFAULT_THRESHOLDS, type HealthCheck, type HealthThresholds } from './types.js';

export interface HealthOptions {
  database: string;
  config?: Config;
  thresholds?: Partial<HealthThresholds>;
  checks?: HealthCheck[];
  /** Give missing-index candidates the index advisor's proposal (slower: it plans the workload). */
  advise?: boolean;
  /** An open read-only engine on `database` to run on (the dashboard's); it is left open. */
  engine?: Engine;
  /** Milliseconds a check may wait for a lock (default 500) and run (default 5000). */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
}

export const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

/** A READ ONLY transaction (the engine is opened read-only) in which no statement waits for a lock or runs long. */
export function guardedTransaction<T>(engine: Engine, fn: (tx: Queryable) => Promise<T>, timeouts: Pick<HealthOptions, 'lockTimeoutMs' | 'statementTimeoutMs'> = {}): Promise<T> {
  return engine.transaction(async (tx) => {
    await tx.exec(`SET LOCAL lock_timeout = ${Math.round(timeouts.lockTimeoutMs ?? 500)}; SET LOCAL statement_timeout = ${Math.round(timeouts.statementTimeoutMs ?? 5000)}`);
    return fn(tx);
  });
}

export async function runHealth(options: HealthOptions): Promise<Report> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  // The config file's health.thresholds, then the caller's.
  const thresholds: HealthThresholds = { ...DEFAULT_THRESHOLDS, ...config.health?.thresholds, ...options.thresholds };
  const localHost = isLocalConnection(options.database);
  const checks = options.checks ?? healthChecks;
  const engine = options.engine ?? (await openEngine({ database: options.database, readOnly: true }));
  const findings: Finding[] = [];
  try {
    const version = (await engine.version()).num;
    for (const check of checks) {
      try {
        findings.push(
          ...(await guardedTransaction(engine, (tx) => check.run({ db: tx, version, thresholds, localHost }), options)),
        );
      } catch (error) {
        if (isFatalEngineError(error)) throw error;
        const e = toEngineError(error);
        if (e.code === LOCK_NOT_AVAILABLE) findings.push(await lockWait(engine, `The ${check.id} check`));
        else findings.push({ rule: 'rule-error', severity: 'warning', message: `The ${check.id} check failed: ${e.message}${e.code === QUERY_CANCELED ? ' (it ran past the statement timeout)' : ''}`, hint: 'The other checks ran; this one is not in the report.' });
      }
    }
  } finally {
    if (!options.engine) await engine.close();
  }
  const advised = options.advise ? await withAdvice(findings, options.database, config) : findings;
  const report = buildReport(advised, [], config, { files: 0, statements: 0, started });
  return { ...report, summary: { ...report.summary, checks: checks.length } };
}

/**
 * `subject` ("The unused-index check") met a lock: which tables other sessions hold ACCESS EXCLUSIVE
 * locks on, and who. pg_locks takes no lock to read.
 */
export async function lockWait(db: Queryable, subject: string): Promise<Finding> {
  const { rows } = await db.query<{ relation: string; pid: number; query: string | null }>(
    `select l.relation::regclass::text as relation, l.pid, left(a.query, 200) as query
       from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'relation' and l.granted and l.mode = 'AccessExclusiveLock' and l.pid <> pg_backend_pid()
        and l.database = (select oid from pg_database where datname = current_database())
      order by 1`,
  );
  const held = rows.filter((r) => !r.relation.startsWith('pg_'));
  return {
    rule: 'lock-wait',
    severity: 'warning',
    message: held.length
      ? `${subject} could not read ${held.map((r) => `${r.relation} (ACCESS EXCLUSIVE, held by session ${r.pid})`).join(', ')} without waiting, so it was skipped`
      : `${subject} met a lock it would have had to wait for, so it was skipped`,
    ...(held[0] ? { object: held[0].relation } : {}),
    hint: held[0]?.query ? `Session ${held[0].pid} runs: ${held[0].query.replace(/\s+/g, ' ').trim()}` : 'Try again when the migration holding it is done.',
  };
}
