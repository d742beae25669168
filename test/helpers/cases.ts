// The shape every rule-case suite shares (schema, migration, query, plan): per rule, its cases on each
// engine, each `bad` reporting the rule exactly at its marked lines and each `good` reporting nothing,
// with no case failing to run. Each suite adds what is particular to its area.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.js';
import type { CaseResult } from '../../src/rules/case-runner.js';
import { readCases, type RuleCase } from '../../src/rules/cases.js';
import { parseFile, type ParsedFile } from '../../src/sql/parse.js';
import type { Finding } from '../../src/types.js';
import { ENGINES } from './server.js';

export interface CaseSuite<Rule extends { id: string; area: string }, Result extends CaseResult> {
  rules: Rule[];
  /** An engine (on the server when `database` is given) ready for the area's cases. */
  open(database: string | undefined): Promise<Engine>;
  run(engine: Engine, rule: Rule, parsed: ParsedFile, c: RuleCase, schema: string): Promise<Result>;
  /** What the rule's case file must contain (default: a bad and a good case). */
  coverage?(cases: RuleCase[], rule: Rule): void;
  /** What every finding of a case must carry. */
  eachFinding(f: Finding, rule: Rule, path: string): void;
  /** What the whole result must satisfy, before the good/bad check. */
  eachResult?(result: Result): void;
  /** More, for a bad case, after its lines were checked (e.g. run the fix and check again). */
  afterBad?(ctx: { engine: Engine; rule: Rule; parsed: ParsedFile; c: RuleCase; schema: string; findings: Finding[] }): Promise<void>;
}

export function describeRuleCases<Rule extends { id: string; area: string }, Result extends CaseResult>(suite: CaseSuite<Rule, Result>): void {
  for (const rule of suite.rules) {
    const { path, text, cases } = readCases(rule.area, rule.id);

    describe(`${rule.id} cases`, () => {
      it('has at least one bad and one good case', () => {
        if (suite.coverage) return suite.coverage(cases, rule);
        expect(cases.some((c) => c.kind === 'bad')).toBe(true);
        expect(cases.some((c) => c.kind === 'good')).toBe(true);
      });

      for (const target of ENGINES) {
        describe(target.name, () => {
          let engine: Engine;
          let parsed: ParsedFile;
          beforeAll(async () => {
            parsed = await parseFile(text, path);
            expect(parsed.findings).toEqual([]);
            engine = await suite.open(target.database);
          });
          afterAll(() => engine?.close());

          cases.forEach((c, i) => {
            it(`${c.kind}: ${c.title}`, async () => {
              const schema = `case_${i + 1}`;
              const result = await suite.run(engine, rule, parsed, c, schema);
              expect(result.errors).toEqual([]);
              suite.eachResult?.(result);
              for (const f of result.findings) suite.eachFinding(f, rule, path);
              if (c.kind === 'good') {
                expect(result.findings).toEqual([]);
                return;
              }
              expect(c.expectedLines.length, 'a bad case marks its reported lines with -- <- here').toBeGreaterThan(0);
              const sorted = (lines: Array<number | undefined>) => [...new Set(lines)].sort((a, b) => a! - b!);
              expect(sorted(result.findings.map((f) => f.location?.line))).toEqual(c.expectedLines);
              // A rule speaks once per transaction: the places folded into a finding are its related ones.
              // (Clauses folded on the finding's own line, e.g. DROP TABLE a, b, need no mark.)
              const related = result.findings.flatMap((f) => (f.related ?? []).map((l) => l.line).filter((l) => l !== f.location?.line));
              expect(sorted(related)).toEqual(c.relatedLines);
              await suite.afterBad?.({ engine, rule, parsed, c, schema, findings: result.findings });
            });
          });
        });
      }
    });
  }
}
