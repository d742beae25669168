import type { HealthCheck } from '../types.js';
import { blockedQuery, idleInTransaction, longRunningQuery } from './activity.js';
import { cacheHitRatio } from './cache-hit-ratio.js';
import { deadTuples } from './dead-tuples.js';
import { duplicateIndex } from './duplicate-index.js';
import { invalidConstraint } from './invalid-constraint.js';
import { invalidIndex } from './invalid-index.js';
import { autovacuumDisabled, missingIndexCandidate } from './maintenance.js';
import { sequenceExhaustion } from './sequence-exhaustion.js';
import { connectionUsage, xidWraparound } from './server.js';
import { slowQueries } from './slow-queries.js';
import { unusedIndex } from './unused-index.js';

/** Every health check, in the order the report lists them. */
export const healthChecks: HealthCheck[] = [
  blockedQuery,
  longRunningQuery,
  idleInTransaction,
  connectionUsage,
  xidWraparound,
  sequenceExhaustion,
  invalidIndex,
  invalidConstraint,
  duplicateIndex,
  unusedIndex,
  deadTuples,
  autovacuumDisabled,
  missingIndexCandidate,
  cacheHitRatio,
  slowQueries,
];
