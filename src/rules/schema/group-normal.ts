// Schema rules about indexes and normalization (one file per rule; this list only registers them).
import type { SchemaRule } from '../types.js';

export const normalizationRules: SchemaRule[] = [];
