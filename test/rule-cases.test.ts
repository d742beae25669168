// Every schema rule's SQL cases, on both engines: each `bad` block reports the rule exactly at its
// marked lines, each `good` block reports nothing, and no case fails to execute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine/index.js';
import { CASE_EXTENSIONS, prepareSchemaCases, runSchemaCase } from '../src/rules/case-runner.js';
import { readCases } from '../src/rules/cases.js';
import { schemaRules } from '../src/rules/registry.js';
import { parseFile, type ParsedFile } from '../src/sql/parse.js';
import { ENGINES } from './helpers/server.js';

for (const rule of schemaRules) {
  const { path, text, cases } = readCases(rule.area, rule.id);

  describe(`${rule.id} cases`, () => {
    it('has at least one bad and one good case', () => {
      expect(cases.some((c) => c.kind === 'bad')).toBe(true);
      expect(cases.some((c) => c.kind === 'good')).toBe(true);
    });

    for (const target of ENGINES) {
      describe(target.name, () => {
        let engine: Engine;
        let parsed: ParsedFile;
        beforeAll(async () => {
          parsed = await parseFile(text, path);
          engine = await openEngine({ database: target.database, scratch: true, extensions: CASE_EXTENSIONS });
          await prepareSchemaCases(engine);
        });
        afterAll(() => engine?.close());

        cases.forEach((c, i) => {
          it(`${c.kind}: ${c.title}`, async () => {
            const { findings, errors } = await runSchemaCase(engine, rule, parsed, c, `case_${i + 1}`);
            expect(errors).toEqual([]);
            for (const f of findings) {
              expect(f.rule).toBe(rule.id);
              expect(f.message.length).toBeGreaterThan(10);
              expect(f.location?.file).toBe(path);
            }
            if (c.kind === 'good') {
              expect(findings).toEqual([]);
            } else {
              expect(c.expectedLines.length, 'a bad case marks its reported lines with -- <- here').toBeGreaterThan(0);
              expect([...new Set(findings.map((f) => f.location?.line))].sort((a, b) => a! - b!)).toEqual(c.expectedLines);
            }
          });
        });
      });
    }
  });
}

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
