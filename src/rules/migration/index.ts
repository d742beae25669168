// Every migration rule. Rule files register in a group list so several can be added at once.
import type { MigrationRule } from '../types.js';
import { createIndexNonConcurrent } from './create-index-non-concurrent.js';
import { columnRules } from './group-columns.js';
import { objectRules } from './group-objects.js';

export const migrationRules: MigrationRule[] = [createIndexNonConcurrent, ...columnRules, ...objectRules];
