// Schema rules from the design principles and the table template: types, keys, timestamps, naming (one file per rule; this list only registers them).
import type { SchemaRule } from '../types.js';

export const designRules: SchemaRule[] = [];
