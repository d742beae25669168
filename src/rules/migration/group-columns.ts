// Migration rules about columns (one file per rule; this list only registers them).
import type { MigrationRule } from '../types.js';

export const columnRules: MigrationRule[] = [];
