// Every migration rule. Rule files register in a group list so several can be added at once.
import type { MigrationRule } from '../types.js';
import { backfillInTransaction } from './backfill-in-transaction.js';
import { concurrentlyInTransaction } from './concurrently-in-transaction.js';
import { createIndexNonConcurrent } from './create-index-non-concurrent.js';
import { columnRules } from './group-columns.js';
import { objectRules } from './group-objects.js';
import { irreversibleMigration } from './irreversible-migration.js';
import { lockHeldAfterExclusive } from './lock-held-after-exclusive.js';
import { missingLockTimeout } from './missing-lock-timeout.js';
import { tableRewrite } from './table-rewrite.js';
import { transactionNesting } from './transaction-nesting.js';

export const migrationRules: MigrationRule[] = [
  createIndexNonConcurrent,
  concurrentlyInTransaction,
  ...columnRules,
  ...objectRules,
  missingLockTimeout,
  backfillInTransaction,
  lockHeldAfterExclusive,
  transactionNesting,
  tableRewrite,
  irreversibleMigration,
];
