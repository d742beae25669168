// Migration rules about columns (one file per rule; this list only registers them).
import type { MigrationRule } from '../types.js';
import { addColumnVolatileDefault } from './add-column-volatile-default.js';

export const columnRules: MigrationRule[] = [addColumnVolatileDefault];
