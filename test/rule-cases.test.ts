// Every schema rule's SQL cases, on both engines: each `bad` block reports the rule exactly at its
// marked lines, each `good` block reports nothing, and no case fails to execute.
import { describe, expect, it } from 'vitest';
import { openEngine } from '../src/engine/index.js';
import { CASE_EXTENSIONS, prepareSchemaCases, runSchemaCase } from '../src/rules/case-runner.js';
import { schemaRules } from '../src/rules/registry.js';
import { describeRuleCases } from './helpers/cases.js';

describeRuleCases({
  rules: schemaRules,
  async open(database) {
    const engine = await openEngine({ database, scratch: true, extensions: CASE_EXTENSIONS });
    await prepareSchemaCases(engine);
    return engine;
  },
  run: runSchemaCase,
  eachFinding(f, rule, path) {
    expect(f.rule).toBe(rule.id);
    expect(f.message.length).toBeGreaterThan(10);
    expect(f.location?.file).toBe(path);
  },
});

describe('the schema rule catalog', () => {
  // The ids of the "schema" table of shared/design/rules.md (fixed; never renamed).
  const RULES_MD_SCHEMA_IDS = [
    'missing-primary-key', 'fk-missing-index', 'fk-type-mismatch', 'fk-missing-on-delete', 'prefer-timestamptz', 'prefer-text',
    'prefer-identity', 'int-primary-key', 'money-type', 'missing-timestamps', 'updated-at-no-trigger', 'status-without-constraint',
    'soft-delete-no-partial-index', 'duplicate-index', 'redundant-index', 'repeating-columns', 'functional-dependency',
    'rls-disabled', 'rls-no-policy', 'rls-initplan', 'multiple-permissive-policies', 'uppercase-identifier', 'reserved-identifier',
    'missing-comment', 'jsonb-unindexed-key', 'identifier-too-long', 'policy-without-rls', 'policy-always-true',
    'security-definer-view', 'function-search-path', 'extension-in-public', 'reg-type-column',
  ];

  it('implements every schema rule id of rules.md', () => {
    const known = new Set(schemaRules.map((r) => r.id));
    expect(RULES_MD_SCHEMA_IDS.filter((id) => !known.has(id))).toEqual([]);
  });
});
