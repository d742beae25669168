// Every migration rule's SQL cases, on both engines. Each case is a migration deployed after the
// shared base schema (src/rules/migration/base.sql): `bad` must report the rule exactly at its
// marked lines, `good` must not, and no case may fail to execute.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { openEngine, type Engine } from '../src/engine/index.js';
import { EngineCatalogView } from '../src/migrate/catalog-view.js';
import type { Migration } from '../src/migrate/discover.js';
import { MigrationRunner } from '../src/migrate/lint.js';
import { readCases, type RuleCase } from '../src/rules/cases.js';
import { migrationRules } from '../src/rules/migration/index.js';
import type { MigrationRule } from '../src/rules/types.js';
import { parseFile, type ParsedFile } from '../src/sql/parse.js';
import { ENGINES } from './helpers/server.js';

const BASE_PATH = fileURLToPath(new URL('../src/rules/migration/base.sql', import.meta.url));
const BASE = readFileSync(BASE_PATH, 'utf8');

async function runCase(engine: Engine, rule: MigrationRule, parsed: ParsedFile, c: RuleCase, schema: string) {
  await engine.exec(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
  const config = { ...defaultConfig(), assumeInTransaction: Boolean(c.options.assumeInTransaction), assumeRows: c.options.assumeRows ?? {} };
  const view = new EngineCatalogView(engine, { assumeRows: config.assumeRows });
  const runner = new MigrationRunner({ engine, config, pgVersion: c.options.pgVersion ?? 15, rules: [rule], view, smallTableRows: 10_000, total: 0 });
  const base = await parseFile(BASE, BASE_PATH);
  const baseMigration: Migration = { id: '0001_base', file: BASE_PATH, text: BASE, up: { start: 0, end: BASE.length }, layout: 'flat' };
  runner.deploy();
  const baseFindings = await runner.run(baseMigration, base);
  expect(baseFindings.filter((f) => f.rule === 'execution-error')).toEqual([]);

  const statements = parsed.statements.filter((s) => s.line >= c.firstLine && s.line <= c.lastLine);
  const file: ParsedFile = {
    ...parsed,
    statements,
    directives: { ...parsed.directives, flags: c.options.noTransaction ? ['no-transaction'] : [] },
  };
  const migration: Migration = {
    id: '0002_case',
    file: parsed.file!,
    text: parsed.text,
    up: { start: 0, end: parsed.text.length },
    down: c.options.down === undefined ? undefined : { file: 'down.sql', text: c.options.down, start: 0, end: c.options.down.length },
    layout: (c.options.layout as Migration['layout']) ?? 'folders',
  };
  runner.deploy();
  return runner.run(migration, file);
}

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
            const all = await runCase(engine, rule, parsed, c, `case_${i + 1}`);
            expect(all.filter((f) => f.rule === 'execution-error')).toEqual([]);
            const findings = all.filter((f) => f.rule === rule.id);
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
