// `pgarch health`: every check against a live database, each in its own READ ONLY transaction with a
// short lock_timeout and statement_timeout, so that a migration's lock never makes the run wait: a
// check that meets one is a `lock-wait` finding naming the locked table and its holder, and the other
// checks go on.
import { defaultConfig, type Config } from '../config.js';
import { openEngine } from '../engine/index.js';
import { isFatalEngineError, toEngineError, type Queryable } from '../engine/types.js';
import { buildReport } from '../lint/policy.js';
import type { Finding, Report } from '../types.js';
import { healthChecks } from './checks/index.js';
import { DEFAULT_THRESHOLDS, type HealthCheck, type HealthThresholds } from './types.js';

export interface HealthOptions {
  database: string;
  config?: Config;
  thresholds?: Partial<HealthThresholds>;
  checks?: HealthCheck[];
  /** Milliseconds a check may wait for a lock (default 500) and run (default 5000). */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
}

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

export async function runHealth(options: HealthOptions): Promise<Report> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const checks = options.checks ?? healthChecks;
  const engine = await openEngine({ database: options.database, readOnly: true });
  const findings: Finding[] = [];
  try {
    const version = (await engine.version()).num;
    for (const check of checks) {
      try {
        findings.push(
          ...(await engine.transaction(async (tx) => {
            await tx.exec(`SET LOCAL lock_timeout = ${Math.round(options.lockTimeoutMs ?? 500)}; SET LOCAL statement_timeout = ${Math.round(options.statementTimeoutMs ?? 5000)}`);
            return check.run({ db: tx, version, thresholds });
          })),
        );
      } catch (error) {
        if (isFatalEngineError(error)) throw error;
        const e = toEngineError(error);
        if (e.code === LOCK_NOT_AVAILABLE) findings.push(...(await lockWait(engine, check)));
        else findings.push({ rule: 'rule-error', severity: 'warning', message: `The ${check.id} check failed: ${e.message}${e.code === QUERY_CANCELED ? ' (it ran past the statement timeout)' : ''}`, hint: 'The other checks ran; this one is not in the report.' });
      }
    }
  } finally {
    await engine.close();
  }
  const report = buildReport(findings, [], config, { files: 0, statements: 0, started });
  return { ...report, summary: { ...report.summary, checks: checks.length } };
}

/** Which tables other sessions hold ACCESS EXCLUSIVE locks on, and who: pg_locks takes no lock to read. */
async function lockWait(db: Queryable, check: HealthCheck): Promise<Finding[]> {
  const { rows } = await db.query<{ relation: string; pid: number; query: string | null }>(
    `select l.relation::regclass::text as relation, l.pid, left(a.query, 200) as query
       from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'relation' and l.granted and l.mode = 'AccessExclusiveLock' and l.pid <> pg_backend_pid()
        and l.database = (select oid from pg_database where datname = current_database())
      order by 1`,
  );
  const held = rows.filter((r) => !r.relation.startsWith('pg_'));
  return [
    {
      rule: 'lock-wait',
      severity: 'warning',
      message: held.length
        ? `The ${check.id} check could not read ${held.map((r) => `${r.relation} (ACCESS EXCLUSIVE, held by session ${r.pid})`).join(', ')} without waiting, so it was skipped`
        : `The ${check.id} check met a lock it would have had to wait for, so it was skipped`,
      ...(held[0] ? { object: held[0].relation } : {}),
      hint: held[0]?.query ? `Session ${held[0].pid} runs: ${held[0].query.replace(/\s+/g, ' ').trim()}` : 'Run health again when the migration holding it is done.',
    },
  ];
}
