// Every migration rule's SQL cases, on both engines. Each case is a migration deployed after the
// shared base schema (src/rules/migration/base.sql): `bad` must report the rule exactly at its
// marked lines, `good` must not, and no case may fail to execute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine/index.js';
import { runMigrationCase } from '../src/rules/case-runner.js';
import { readCases } from '../src/rules/cases.js';
import { migrationRules } from '../src/rules/migration/index.js';
import { parseFile, type ParsedFile } from '../src/sql/parse.js';
import { ENGINES } from './helpers/server.js';

for (const rule of migrationRules) {
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
          expect(parsed.findings).toEqual([]);
          engine = await openEngine({ database: target.database, scratch: true });
        });
        afterAll(() => engine?.close());

        cases.forEach((c, i) => {
          it(`${c.kind}: ${c.title}`, async () => {
            const { findings, errors } = await runMigrationCase(engine, rule, parsed, c, `case_${i + 1}`);
            expect(errors).toEqual([]);
            for (const f of findings) {
              expect(f.location?.file).toBe(path);
              expect(f.hint, 'every migration finding has a hint').toBeTruthy();
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
