// Every query rule's SQL cases, on both engines. A case's DDL runs after the shared base schema
// (src/rules/query/base.sql) in its own schema and its queries are linted against that catalog — or,
// marked {"catalog": false}, from the SQL alone: `bad` must report the rule exactly at its marked lines,
// `good` must not, and PostgreSQL must accept every query of a catalog case (PREPARE).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine/index.js';
import { prepareQueryCases, QUERY_CASE_EXTENSIONS, runQueryCase } from '../src/query/cases.js';
import { readCases } from '../src/rules/cases.js';
import { allRules, queryRules } from '../src/rules/registry.js';
import { parseFile, type ParsedFile } from '../src/sql/parse.js';
import { ENGINES } from './helpers/server.js';

for (const rule of queryRules) {
  const { path, text, cases } = readCases(rule.area, rule.id);

  describe(`${rule.id} cases`, () => {
    it('has bad and good cases, with and without a catalog', () => {
      expect(cases.some((c) => c.kind === 'bad' && c.options.catalog !== false)).toBe(true);
      expect(cases.some((c) => c.kind === 'good')).toBe(true);
      expect(cases.some((c) => c.options.catalog === false), 'a case shows what the rule does from the SQL alone').toBe(true);
      expect(rule.catalogUse.length).toBeGreaterThan(40);
    });

    for (const target of ENGINES) {
      describe(target.name, () => {
        let engine: Engine;
        let parsed: ParsedFile;
        beforeAll(async () => {
          parsed = await parseFile(text, path);
          expect(parsed.findings).toEqual([]);
          engine = await openEngine({ database: target.database, scratch: true, extensions: QUERY_CASE_EXTENSIONS });
          await prepareQueryCases(engine);
        });
        afterAll(() => engine?.close());

        cases.forEach((c, i) => {
          it(`${c.kind}: ${c.title}`, async () => {
            const { findings, errors } = await runQueryCase(engine, rule, parsed, c, `case_${i + 1}`);
            expect(errors).toEqual([]);
            for (const f of findings) {
              expect(f.rule).toBe(rule.id);
              expect(f.location?.file).toBe(path);
              expect(f.location?.column).toBeGreaterThan(0);
              expect(f.hint, 'every query finding has a hint').toBeTruthy();
              expect(f.docs).toBe(`docs/rules/${rule.id}.md`);
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
