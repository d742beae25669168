// Health checks of a live database: each check is one read-only query (or a few) whose rows become
// findings in the shared contract. Checks never write, never wait behind a lock (the runner sets a
// short lock_timeout and statement_timeout), and read sizes from the catalog's page counts so that a
// table held by a migration's ACCESS EXCLUSIVE lock does not stop them.
import type { Queryable } from '../engine/types.js';
import type { Finding, Severity } from '../types.js';

export interface HealthThresholds {
  /** Dead tuples as a share of all tuples that makes a finding, and the fewest dead tuples worth one. */
  deadTupleRatio: number;
  deadTupleMin: number;
  /** Share of a sequence's range used that makes a finding. */
  sequenceUsed: number;
  /** Seconds a query may run, and a transaction stay idle, before a finding. */
  longRunningSeconds: number;
  idleInTransactionSeconds: number;
  /** Share of max_connections in use that makes a finding. */
  connectionUsage: number;
  /** Transaction-ID age, as a share of the 2^31 wraparound limit, that makes a finding. */
  xidAge: number;
  /** Indexes smaller than this are not worth an unused-index finding. */
  unusedIndexMinBytes: number;
  /** A table this large, read by at least this many sequential scans (10x its index scans), is a missing-index candidate. */
  missingIndexMinRows: number;
  missingIndexMinSeqScans: number;
  /** Cache hit ratio under which to report, and the fewest block reads worth judging. */
  cacheHitRatio: number;
  cacheMinBlocks: number;
  /** Mean time (ms) that makes a statement slow, and how many to report. */
  slowQueryMs: number;
  slowQueryTop: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  deadTupleRatio: 0.2,
  deadTupleMin: 10_000,
  sequenceUsed: 0.75,
  longRunningSeconds: 300,
  idleInTransactionSeconds: 60,
  connectionUsage: 0.8,
  xidAge: 0.5,
  unusedIndexMinBytes: 1024 * 1024,
  missingIndexMinRows: 10_000,
  missingIndexMinSeqScans: 50,
  cacheHitRatio: 0.99,
  cacheMinBlocks: 10_000,
  slowQueryMs: 100,
  slowQueryTop: 10,
};

export interface HealthContext {
  db: Queryable;
  /** server_version_num. */
  version: number;
  thresholds: HealthThresholds;
}

export interface HealthCheck {
  /** The rule id from shared/design/rules.md. */
  id: string;
  severity: Severity;
  summary: string;
  run(ctx: HealthContext): Promise<Finding[]>;
}

/** Bytes as people read them. */
export function size(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} kB`;
}
