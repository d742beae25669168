// Every rule's SQL cases, on both engines: each `bad` block reports the rule exactly at its marked
// lines, each `good` block reports nothing, and no case fails to execute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../src/catalog/introspect.js';
import { emptyOrigin, recordStatement } from '../src/catalog/origin.js';
import { openEngine, type Engine } from '../src/engine/index.js';
import { applyFiles } from '../src/lint/apply.js';
import { readCases } from '../src/rules/cases.js';
import { schemaRules } from '../src/rules/registry.js';
import { readFileSync } from 'node:fs';
import { parseFile, type ParsedFile } from '../src/sql/parse.js';

const SCHEMA_BASE = readFileSync(new URL('../src/rules/schema/base.sql', import.meta.url), 'utf8');
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
          engine = await openEngine({ database: target.database, scratch: true, extensions: ['citext', 'hstore'] });
          await engine.exec(SCHEMA_BASE);
        });
        afterAll(() => engine?.close());

        cases.forEach((c, i) => {
          it(`${c.kind}: ${c.title}`, async () => {
            // Each case lives in its own schema so cases never see each other's tables.
            const schema = `case_${i + 1}`;
            await engine.exec(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
            const statements = parsed.statements.filter((s) => s.line >= c.firstLine && s.line <= c.lastLine);
            const errors = await applyFiles(engine, [{ ...parsed, statements }]);
            expect(errors).toEqual([]);

            const origin = emptyOrigin();
            for (const s of statements) recordStatement(origin, { defaultSchema: schema }, parsed, s);
            const catalog = await introspect(engine);
            const profile = (c.options as { profile?: 'default' | 'supabase' }).profile ?? 'default';
            if (rule.profiles && !rule.profiles.includes(profile)) throw new Error(`case "${c.title}" needs {"profile": "${rule.profiles[0]}"}`);
            const ctx = { catalog, origin, engine, profile, exposedSchemas: [schema], sampleRows: 100_000, live: false };
            const findings = (await rule.check(ctx)).filter((f) => f.object?.startsWith(`${schema}.`));

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
