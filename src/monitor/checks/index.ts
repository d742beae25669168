import type { HealthCheck } from '../types.js';
import { blockedQuery, idleInTransaction, longRunningQuery } from './activity.js';
import { indexBloat, tableBloat } from './bloat.js';
import { cacheHitRatio } from './cache-hit-ratio.js';
import { deadTuples } from './dead-tuples.js';
import { duplicateIndex } from './duplicate-index.js';
import { invalidConstraint } from './invalid-constraint.js';
import { invalidIndex } from './invalid-index.js';
import { autovacuumDisabled, missingIndexCandidate } from './maintenance.js';
import { inactiveReplicationSlot, replicationLag } from './replication.js';
import { sequenceExhaustion } from './sequence-exhaustion.js';
import { connectionUsage, multixactWraparound, xidWraparound } from './server.js';
import { settingReview } from './settings.js';
import { slowQueries } from './slow-queries.js';
import { unusedIndex } from './unused-index.js';
import { vacuumStale } from './vacuum-stale.js';

/** Every health check, in the order the report lists them. */
export const healthChecks: HealthCheck[] = [
  blockedQuery,
  longRunningQuery,
  idleInTransaction,
  connectionUsage,
  xidWraparound,
  multixactWraparound,
  replicationLag,
  inactiveReplicationSlot,
  sequenceExhaustion,
  invalidIndex,
  invalidConstraint,
  duplicateIndex,
  unusedIndex,
  deadTuples,
  vacuumStale,
  autovacuumDisabled,
  tableBloat,
  indexBloat,
  missingIndexCandidate,
  cacheHitRatio,
  slowQueries,
  settingReview,
];

/** Not a check: what a check that met a lock reports instead of its findings (see run.ts). */
export const lockWaitRule = {
  id: 'lock-wait',
  severity: 'warning' as const,
  summary: 'A check could not read an object without waiting for a lock another session holds (a migration\'s ACCESS EXCLUSIVE, say): it was skipped, and the finding names the object, the session holding it and its query.',
};
