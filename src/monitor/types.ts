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
  /**
   * vacuum-stale: rows changed since the last ANALYZE (or, PG 13+, inserted since the last VACUUM) as a
   * share of the table's rows, and the fewest changes worth one. Autovacuum analyzes at 10% and vacuums
   * inserts at 20% by default: five times that means it is not keeping up.
   */
  vacuumStaleRatio: number;
  vacuumStaleMinChanges: number;
  /** vacuum-stale: seconds since the last analyze (or vacuum) autovacuum gets to catch up before a busy table counts as stale. */
  vacuumStaleSeconds: number;
  /** Multixact-ID age, as a share of the 2^31 wraparound limit, that makes a finding (database or table). */
  multixactAge: number;
  /** A replica whose replay is this many seconds late, or this many bytes of WAL behind, makes a finding. */
  replicationLagSeconds: number;
  replicationLagBytes: number;
  /**
   * table-bloat and index-bloat: the estimated wasted share of the relation, and the fewest wasted bytes
   * worth a rewrite (relations smaller than that are not estimated at all).
   */
  tableBloatRatio: number;
  tableBloatMinBytes: number;
  indexBloatRatio: number;
  indexBloatMinBytes: number;
  /**
   * setting-review: the server's memory. Unset: this machine's (os.totalmem()) when the server is on it
   * (a loopback host or a Unix socket), else unknown, and only the checks that need no memory figure run.
   */
  machineMemoryBytes?: number;
  /** setting-review: how many times below (or above) its recommended value a memory setting must be to make a finding. */
  settingTolerance: number;
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
  vacuumStaleRatio: 0.5,
  vacuumStaleMinChanges: 10_000,
  vacuumStaleSeconds: 3600,
  multixactAge: 0.5,
  replicationLagSeconds: 60,
  replicationLagBytes: 1024 ** 3,
  tableBloatRatio: 0.5,
  tableBloatMinBytes: 100 * 1024 ** 2,
  indexBloatRatio: 0.5,
  indexBloatMinBytes: 100 * 1024 ** 2,
  settingTolerance: 2,
};

/** The check each threshold tunes, and what it is, in a few words (the check's docs page lists it). */
export const THRESHOLD_RULES: Record<keyof HealthThresholds, { rule: string; about: string }> = {
  deadTupleRatio: { rule: 'dead-tuples', about: 'dead tuples as a share of all the table\'s tuples' },
  deadTupleMin: { rule: 'dead-tuples', about: 'the fewest dead tuples worth a finding' },
  sequenceUsed: { rule: 'sequence-exhaustion', about: 'share of the range used, the sequence\'s or its integer column\'s' },
  longRunningSeconds: { rule: 'long-running-query', about: 'seconds one query has run' },
  idleInTransactionSeconds: { rule: 'idle-in-transaction', about: 'seconds a session has been idle inside a transaction' },
  connectionUsage: { rule: 'connection-usage', about: 'share of max_connections (less the superuser reserve) in use' },
  xidAge: { rule: 'xid-wraparound', about: 'transaction-ID age as a share of 2^31' },
  unusedIndexMinBytes: { rule: 'unused-index', about: 'bytes under which an unused index is not worth a finding' },
  missingIndexMinRows: { rule: 'missing-index-candidate', about: 'rows the table (and its average sequential scan) must have' },
  missingIndexMinSeqScans: { rule: 'missing-index-candidate', about: 'sequential scans the table must have had' },
  cacheHitRatio: { rule: 'cache-hit-ratio', about: 'share of block reads from shared buffers under which to report' },
  cacheMinBlocks: { rule: 'cache-hit-ratio', about: 'the fewest block reads worth judging' },
  slowQueryMs: { rule: 'slow-queries', about: 'mean milliseconds that make a statement slow' },
  slowQueryTop: { rule: 'slow-queries', about: 'how many statements to report' },
  vacuumStaleRatio: { rule: 'vacuum-stale', about: 'rows changed since the last analyze (or inserted since the last vacuum) as a share of the table\'s rows' },
  vacuumStaleMinChanges: { rule: 'vacuum-stale', about: 'the fewest such rows worth a finding' },
  vacuumStaleSeconds: { rule: 'vacuum-stale', about: 'seconds since the last analyze or vacuum that autovacuum gets to catch up on a busy table' },
  multixactAge: { rule: 'multixact-wraparound', about: 'multixact-ID age as a share of 2^31' },
  replicationLagSeconds: { rule: 'replication-lag', about: 'seconds a replica\'s replay is late (replay_lag)' },
  replicationLagBytes: { rule: 'replication-lag', about: 'bytes of WAL a replica\'s replay is behind' },
  tableBloatRatio: { rule: 'table-bloat', about: 'estimated wasted share of the table' },
  tableBloatMinBytes: { rule: 'table-bloat', about: 'the fewest wasted bytes worth a rewrite; smaller tables are not estimated' },
  indexBloatRatio: { rule: 'index-bloat', about: 'estimated wasted share of the index' },
  indexBloatMinBytes: { rule: 'index-bloat', about: 'the fewest wasted bytes worth a rebuild; smaller indexes are not estimated' },
  machineMemoryBytes: { rule: 'setting-review', about: 'the server\'s memory in bytes; unset: this machine\'s when the server is local, else unknown' },
  settingTolerance: { rule: 'setting-review', about: 'how many times off its recommended value a setting must be' },
};

export interface HealthContext {
  db: Queryable;
  /** server_version_num. */
  version: number;
  thresholds: HealthThresholds;
  /**
   * Whether the connection's host is this machine (a loopback address or a Unix socket), as the
   * connection string says: then os.totalmem() may stand for the server's memory.
   */
  localHost: boolean;
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
