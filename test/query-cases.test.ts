// Every query rule's SQL cases, on both engines. A case's DDL runs after the shared base schema
// (src/rules/query/base.sql) in its own schema and its queries are linted against that catalog — or,
// marked {"catalog": false}, from the SQL alone: `bad` must report the rule exactly at its marked lines,
// `good` must not, and PostgreSQL must accept every query of a catalog case (PREPARE).
import { describe, expect, it } from 'vitest';
import { openEngine } from '../src/engine/index.js';
import { prepareQueryCases, QUERY_CASE_EXTENSIONS, runQueryCase } from '../src/query/cases.js';
import { allRules, queryRules } from '../src/rules/registry.js';
import { describeRuleCases } from './helpers/cases.js';

describeRuleCases({
  rules: queryRules,
  async open(database) {
    const engine = await openEngine({ database, scratch: true, extensions: QUERY_CASE_EXTENSIONS });
    await prepareQueryCases(engine);
    return engine;
  },
  run: runQueryCase,
  coverage(cases, rule) {
    expect(cases.some((c) => c.kind === 'bad' && c.options.catalog !== false)).toBe(true);
    expect(cases.some((c) => c.kind === 'good')).toBe(true);
    expect(cases.some((c) => c.options.catalog === false), 'a case shows what the rule does from the SQL alone').toBe(true);
    expect(rule.catalogUse.length).toBeGreaterThan(40);
  },
  eachFinding(f, rule, path) {
    expect(f.rule).toBe(rule.id);
    expect(f.location?.file).toBe(path);
    expect(f.location?.column).toBeGreaterThan(0);
    expect(f.hint, 'every query finding has a hint').toBeTruthy();
    expect(f.docs).toBe(`docs/rules/${rule.id}.md`);
  },
});

describe('the query rule catalog', () => {
  // The ids of the "query" table of shared/design/rules.md (fixed; never renamed).
  const RULES_MD_QUERY_IDS = [
    'offset-pagination', 'count-for-existence', 'exact-count-large-table', 'select-star', 'not-in-subquery',
    'non-sargable-predicate', 'leading-wildcard-like', 'between-timestamps', 'update-without-where', 'implicit-cross-join',
  ];

  it('implements every query rule id of rules.md, each listed in allRules with its catalog note', () => {
    expect(queryRules.map((r) => r.id).sort()).toEqual([...RULES_MD_QUERY_IDS].sort());
    for (const id of RULES_MD_QUERY_IDS) {
      const info = allRules().find((r) => r.id === id);
      expect(info?.area).toBe('query');
      expect(info?.catalogUse).toBeTruthy();
    }
  });
});
