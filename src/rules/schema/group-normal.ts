// Schema rules about indexes and normalization (one file per rule; this list only registers them).
import type { SchemaRule } from '../types.js';
import { duplicateIndex } from './duplicate-index.js';
import { functionalDependency } from './functional-dependency.js';
import { jsonbUnindexedKey } from './jsonb-unindexed-key.js';
import { redundantIndex } from './redundant-index.js';
import { repeatingColumns } from './repeating-columns.js';

export const normalizationRules: SchemaRule[] = [duplicateIndex, redundantIndex, repeatingColumns, functionalDependency, jsonbUnindexedKey];
