// Migration rules about constraints, tables, indexes, partitions, enums and schemas (one file per rule; this list only registers them).
import type { MigrationRule } from '../types.js';
import { constraintNotValid } from './constraint-not-valid.js';

export const objectRules: MigrationRule[] = [constraintNotValid];
