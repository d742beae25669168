// The design rules' fixes are real SQL: on each bad case of their .cases.sql, every fix runs (statement
// by statement, with search_path set elsewhere, so it cannot depend on it) and the finding it fixes is
// gone afterwards. Plus what the cases cannot show: status-without-constraint reading a live table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../src/catalog/introspect.js';
import { emptyOrigin, recordStatement } from '../src/catalog/origin.js';
import { openEngine, type Engine } from '../src/engine/index.js';
import { applyFiles } from '../src/lint/apply.js';
import { readCases } from '../src/rules/cases.js';
import { designRules } from '../src/rules/schema/group-design.js';
import { statusWithoutConstraint } from '../src/rules/schema/status-without-constraint.js';
import type { SchemaRuleContext } from '../src/rules/types.js';
import { parseFile } from '../src/sql/parse.js';
import { ENGINES } from './helpers/server.js';

async function runSql(engine: Engine, sql: string): Promise<void> {
  const parsed = await parseFile(sql);
  expect(parsed.findings).toEqual([]);
  for (const s of parsed.statements) await engine.exec(s.text);
}

for (const target of ENGINES) {
  describe(`design rule fixes on ${target.name}`, () => {
    for (const rule of designRules) {
      const { path, text, cases } = readCases(rule.area, rule.id);
      if (!cases.some((c) => c.kind === 'bad')) continue;

      it(`${rule.id}: each fix runs and removes its finding; one finding per marked line`, async () => {
        const engine = await openEngine({ database: target.database, scratch: true, extensions: ['citext', 'hstore'] });
        try {
          const parsed = await parseFile(text, path);
          for (const [i, c] of cases.entries()) {
            if (c.kind !== 'bad') continue;
            const schema = `case_${i + 1}`;
            await engine.exec(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
            const statements = parsed.statements.filter((s) => s.line >= c.firstLine && s.line <= c.lastLine);
            expect(await applyFiles(engine, [{ ...parsed, statements }])).toEqual([]);
            const origin = emptyOrigin();
            for (const s of statements) recordStatement(origin, { defaultSchema: schema }, parsed, s);
            const check = async () => {
              const ctx: SchemaRuleContext = { catalog: await introspect(engine), origin, engine, profile: 'default', exposedSchemas: [schema], sampleRows: 1000, live: false };
              return (await rule.check(ctx)).filter((f) => f.object?.startsWith(`${schema}.`));
            };
            const findings = await check();
            // These cases mark one finding per line: a second one would be a duplicate (e.g. a foreign key
            // to a partitioned table seen again through each partition's derived copy).
            expect(findings.map((f) => f.location?.line ?? 0).sort((a, b) => a - b), `${c.title}: ${findings.map((f) => f.object).join(', ')}`).toEqual(c.expectedLines);

            await engine.exec('SET search_path = public');
            for (const f of findings.filter((x) => x.fix)) await runSql(engine, f.fix!.sql);
            await engine.exec(`SET search_path = ${schema}, public`);
            const fixed = new Set(findings.filter((f) => f.fix).map((f) => f.object));
            expect((await check()).filter((f) => fixed.has(f.object)).map((f) => f.message), c.title).toEqual([]);
          }
        } finally {
          await engine.close();
        }
      });
    }
  });

  describe(`status-without-constraint on a live table (${target.name})`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await openEngine({ database: target.database, scratch: true });
      await engine.exec(`
        CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, status text NOT NULL, note_type text);
        INSERT INTO orders (status, note_type) SELECT (ARRAY['new', 'paid', 'it''s shipped'])[1 + g % 3], 'kind ' || g FROM generate_series(1, 200) g;`);
    });
    afterAll(() => engine?.close());

    it('builds the CHECK from the values in the table, skips a free-text column, and the CHECK validates', async () => {
      const ctx: SchemaRuleContext = { catalog: await introspect(engine), origin: emptyOrigin(), engine, profile: 'default', exposedSchemas: ['public'], sampleRows: 1000, live: true };
      const findings = await statusWithoutConstraint.check(ctx);
      // note_type holds 200 distinct values: free text, not an enumeration.
      expect(findings.map((f) => f.object)).toEqual(['public.orders.status']);
      expect(findings[0].fix!.sql).toContain(`CHECK (status IN ('it''s shipped', 'new', 'paid')) NOT VALID`);
      await runSql(engine, findings[0].fix!.sql);
      const after = await statusWithoutConstraint.check({ ...ctx, catalog: await introspect(engine) });
      expect(after).toEqual([]);
      await expect(engine.exec(`INSERT INTO orders (status) VALUES ('nwe')`)).rejects.toThrow(/orders_status_check/);
    });
  });
}
