// Schema rules about row level security, policies, views and functions exposed to clients (one file per rule; this list only registers them).
import type { SchemaRule } from '../types.js';

export const securityRules: SchemaRule[] = [];
