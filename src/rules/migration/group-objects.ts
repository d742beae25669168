// Migration rules about constraints, tables, indexes, partitions, enums and schemas (one file per rule; this list only registers them).
import type { MigrationRule } from '../types.js';
import { addEnumValueInTransaction } from './add-enum-value-in-transaction.js';
import { addExclusionConstraint } from './add-exclusion-constraint.js';
import { addUniqueConstraint } from './add-unique-constraint.js';
import { constraintNotValid } from './constraint-not-valid.js';
import { detachPartitionNonConcurrent } from './detach-partition-non-concurrent.js';
import { dropIndexNonConcurrent } from './drop-index-non-concurrent.js';
import { dropTable } from './drop-table.js';
import { reindexNonConcurrent } from './reindex-non-concurrent.js';
import { renameEnumValue } from './rename-enum-value.js';
import { renameSchema } from './rename-schema.js';
import { renameTable } from './rename-table.js';
import { truncate } from './truncate.js';
import { vacuumFull } from './vacuum-full.js';

export const objectRules: MigrationRule[] = [
  constraintNotValid,
  addUniqueConstraint,
  addExclusionConstraint,
  dropIndexNonConcurrent,
  reindexNonConcurrent,
  detachPartitionNonConcurrent,
  renameTable,
  dropTable,
  truncate,
  vacuumFull,
  renameEnumValue,
  renameSchema,
  addEnumValueInTransaction,
];
