// Schema rules from the design principles and the table template: types, keys, timestamps, naming (one file per rule; this list only registers them).
import type { SchemaRule } from '../types.js';
import { extensionInPublic } from './extension-in-public.js';
import { fkMissingOnDelete } from './fk-missing-on-delete.js';
import { fkTypeMismatch } from './fk-type-mismatch.js';
import { identifierTooLong } from './identifier-too-long.js';
import { intPrimaryKey } from './int-primary-key.js';
import { missingComment } from './missing-comment.js';
import { missingTimestamps } from './missing-timestamps.js';
import { moneyType } from './money-type.js';
import { preferIdentity } from './prefer-identity.js';
import { preferText } from './prefer-text.js';
import { preferTimestamptz } from './prefer-timestamptz.js';
import { regTypeColumn } from './reg-type-column.js';
import { reservedIdentifier } from './reserved-identifier.js';
import { softDeleteNoPartialIndex } from './soft-delete-no-partial-index.js';
import { statusWithoutConstraint } from './status-without-constraint.js';
import { updatedAtNoTrigger } from './updated-at-no-trigger.js';
import { uppercaseIdentifier } from './uppercase-identifier.js';

export const designRules: SchemaRule[] = [
  // types
  preferTimestamptz,
  preferText,
  preferIdentity,
  intPrimaryKey,
  moneyType,
  regTypeColumn,
  // keys
  fkTypeMismatch,
  fkMissingOnDelete,
  // the table template
  missingTimestamps,
  updatedAtNoTrigger,
  statusWithoutConstraint,
  softDeleteNoPartialIndex,
  missingComment,
  // naming
  uppercaseIdentifier,
  reservedIdentifier,
  identifierTooLong,
  extensionInPublic,
];
