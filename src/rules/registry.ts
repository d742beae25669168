// Every rule pgarch knows, by area. Adding a rule: one file + its .cases.sql, then list it here.
import { healthChecks, lockWaitRule } from '../monitor/checks/index.js';
import { DEFAULT_THRESHOLDS, THRESHOLD_RULES, type HealthThresholds } from '../monitor/types.js';
import type { RuleArea, Severity } from '../types.js';
import { fkMissingIndex } from './schema/fk-missing-index.js';
import { designRules } from './schema/group-design.js';
import { normalizationRules } from './schema/group-normal.js';
import { securityRules } from './schema/group-security.js';
import { missingPrimaryKey } from './schema/missing-primary-key.js';
import { migrationRules } from './migration/index.js';
import { planRules } from './plan/index.js';
import { queryRules } from './query/index.js';
import type { SchemaRule } from './types.js';

export { planRules, queryRules };

export const schemaRules: SchemaRule[] = [missingPrimaryKey, fkMissingIndex, ...designRules, ...normalizationRules, ...securityRules];

export interface RuleInfo {
  id: string;
  area: RuleArea | 'input' | 'engine';
  severity: Severity;
  summary: string;
  /** Query rules: how the rule uses the catalog, and what it does without one. */
  catalogUse?: string;
  /** Health checks: the thresholds (health.thresholds in the config file) that tune it, with their defaults (null: unset). */
  thresholds?: Array<{ name: string; about: string; default: number | null }>;
  /** A rule of another area whose id pgarch health reports too, on a live database (duplicate-index): that check. */
  health?: RuleInfo;
}

/** Findings that come from reading and running the input rather than from a rule's check. */
export const inputRules: RuleInfo[] = [
  { id: 'syntax-error', area: 'input', severity: 'error', summary: 'SQL that PostgreSQL cannot parse, reported at the parser\'s file:line:column.' },
  { id: 'execution-error', area: 'input', severity: 'error', summary: 'SQL that parses but fails when executed against the catalog (e.g. an unknown column).' },
  { id: 'rule-error', area: 'input', severity: 'warning', summary: 'A pgarch rule failed on a statement (a bug in pgarch): reported instead of stopping the lint; the other rules still ran.' },
  {
    id: 'not-executed',
    area: 'engine',
    severity: 'warning',
    summary:
      'A statement pgarch could not run, and why: an extension the engine lacks (with the statements that failed because of it), or, on a server scratch, an effect that would reach outside the scratch database (CREATE DATABASE, ALTER SYSTEM, tablespaces, server files and programs, connections of its own, cluster-wide functions) or that cannot happen inside the scratch\'s one transaction (VACUUM, a procedure that COMMITs). Info when nothing the lint reads depends on it.',
  },
  {
    id: 'engine-failure',
    area: 'engine',
    severity: 'error',
    summary:
      'The embedded engine (PGlite) aborted at this statement — its stack ran out on a function that calls itself without end, or its runtime trapped — so the run stopped: the finding says how many later statements were not checked, and the exit code is 3. A server reports the same SQL as "stack depth limit exceeded" and goes on.',
  },
  { id: 'input-encoding', area: 'input', severity: 'error', summary: 'A NUL byte or bytes that are not UTF-8 in a SQL file, at its line and column: never a silent truncation or a U+FFFD in a name. A NUL is read as a space so the rest of the file is still checked.' },
  { id: 'psql-meta-command', area: 'input', severity: 'info', summary: 'A psql backslash command (\\set, \\i, …): skipped, since PostgreSQL itself cannot run it.' },
];

/** pgarch health's checks, and the lock-wait finding a check that met a lock gives instead. */
export const healthRules: RuleInfo[] = [...healthChecks, lockWaitRule].map((c) => {
  const tuned = (Object.keys(THRESHOLD_RULES) as Array<keyof HealthThresholds>).filter((k) => THRESHOLD_RULES[k].rule === c.id);
  return { id: c.id, area: 'health', severity: c.severity, summary: c.summary, ...(tuned.length ? { thresholds: tuned.map((name) => ({ name, about: THRESHOLD_RULES[name].about, default: DEFAULT_THRESHOLDS[name] ?? null })) } : {}) };
});

export function allRules(): RuleInfo[] {
  const rules: RuleInfo[] = [
    ...inputRules,
    ...[...schemaRules, ...migrationRules, ...queryRules, ...planRules].map((r) => ({ id: r.id, area: r.area, severity: r.severity, summary: r.summary, ...('catalogUse' in r ? { catalogUse: r.catalogUse } : {}) })),
  ];
  // One entry (and docs page) per id: a health check sharing its id with a schema rule is listed there.
  for (const h of healthRules) {
    const at = rules.findIndex((r) => r.id === h.id);
    if (at === -1) rules.push(h);
    else rules[at] = { ...rules[at], health: h };
  }
  return rules;
}
