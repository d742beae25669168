// jsonb-unindexed-key with a real workload. The rule cases (rule-cases.test.ts) can only use views as
// the workload: the harness opens PGlite without the pg_stat_statements bundle and passes live: false.
// Here real statements run and are recorded by pg_stat_statements, on PGlite (with the extension's
// bundle loaded) and on the server (where it is in shared_preload_libraries; its view is created per
// database, here in a scratch database), and the rule reads them as it would on a live database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../src/catalog/introspect.js';
import { emptyOrigin } from '../src/catalog/origin.js';
import type { Catalog } from '../src/catalog/types.js';
import { openEngine, type Engine } from '../src/engine/index.js';
import { accessKey, catalogResolver, jsonbFilters } from '../src/rules/schema/jsonb-filters.js';
import { jsonbUnindexedKey } from '../src/rules/schema/jsonb-unindexed-key.js';
import { loadParser } from '../src/sql/parse.js';
import { SERVER_URL, statStatementsPreloaded, statStatementsSkipReason } from './helpers/server.js';

const SCHEMA = `
CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint, payload jsonb NOT NULL);
CREATE TABLE accounts (id bigint PRIMARY KEY, settings jsonb);
CREATE TABLE documents (id bigint PRIMARY KEY, body jsonb);
CREATE TABLE orders (id bigint PRIMARY KEY, data jsonb);
CREATE INDEX orders_status_idx ON orders ((data ->> 'status'));
INSERT INTO events SELECT g, g % 10, jsonb_build_object('type', CASE WHEN g % 3 = 0 THEN 'signup' ELSE 'click' END) FROM generate_series(1, 200) g;`;

describe('jsonb filters read from query texts', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    await loadParser();
    const engine = await openEngine();
    await engine.exec(SCHEMA);
    catalog = await introspect(engine);
    await engine.close();
  });
  const filters = (sql: string) => jsonbFilters(sql, catalogResolver(catalog, ['public'])).map((f) => `${f.table.name}.${f.column} ${accessKey(f.access)}`);

  it('finds key lookups through aliases, joins and subqueries, with casts and normalized keys', () => {
    expect(filters(`SELECT * FROM events e WHERE e.payload ->> 'type' = $1`)).toEqual(['events.payload ->>"type"']);
    expect(filters(`SELECT * FROM events WHERE payload ->> $1 = $2`)).toEqual(['events.payload ->>?']);
    expect(filters(`SELECT 1 FROM accounts a JOIN events e ON e.account_id = a.id AND (e.payload -> 'n' ->> 'v')::int > 3`)).toEqual(['events.payload (->"n"->>"v")::int4']);
    expect(filters(`SELECT 1 FROM accounts a WHERE EXISTS (SELECT 1 FROM events e WHERE e.account_id = a.id AND a.settings @> $1)`)).toEqual(['accounts.settings gin @>']);
    expect(filters(`DELETE FROM documents WHERE body ? 'draft' OR $1 <@ body`)).toEqual(['documents.body gin ?', 'documents.body gin @>']);
  });

  it('ignores what is not a filter on a jsonb column', () => {
    expect(filters(`SELECT payload ->> 'type' FROM events`)).toEqual([]);
    expect(filters(`SELECT 1 FROM events WHERE lower(payload ->> 'type') = 'x'`)).toEqual([]);
    expect(filters(`SELECT 1 FROM events WHERE id = $1`)).toEqual([]);
    expect(filters(`not sql at all`)).toEqual([]);
  });
});

const targets = [
  { name: 'pglite', open: () => openEngine({ extensions: ['pg_stat_statements'] }) },
  ...(statStatementsPreloaded ? [{ name: 'server', open: () => openEngine({ database: SERVER_URL, scratch: true }) }] : []),
];
if (statStatementsSkipReason) console.warn(`[pgarch tests] jsonb-unindexed-key from pg_stat_statements on the server skipped: ${statStatementsSkipReason}`);

for (const target of targets) {
  describe(`jsonb-unindexed-key from pg_stat_statements (${target.name})`, () => {
    let engine: Engine;
    const check = async (live: boolean) =>
      jsonbUnindexedKey.check({ catalog: await introspect(engine), origin: emptyOrigin(), engine, profile: 'default', exposedSchemas: ['public'], sampleRows: 1000, live });

    beforeAll(async () => {
      await loadParser();
      engine = await target.open();
      await engine.exec('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await engine.exec(SCHEMA);
      // The workload: literal and parameterized statements, as an application sends them.
      for (let i = 0; i < 3; i++) {
        await engine.query(`SELECT id FROM events WHERE payload ->> 'type' = 'signup'`);
        await engine.query(`SELECT id FROM documents d WHERE d.body @> $1::jsonb`, ['{"published": true}']);
        await engine.query(`SELECT id FROM orders WHERE data ->> 'status' = $1`, ['open']);
      }
    }, 120_000);
    afterAll(() => engine?.close());

    it('reports the unindexed filters the statements used, and not the indexed one', async () => {
      const findings = await check(true);
      expect(findings.map((f) => f.object).sort()).toEqual(['public.documents.body', 'public.events.payload']);
      const events = findings.find((f) => f.object === 'public.events.payload')!;
      // pg_stat_statements stored `payload ->> $1 = $2`: the key is not known, so there is no fix, only advice.
      expect(events.message).toContain("payload ->> $n (pg_stat_statements: 3 calls)");
      expect(events.fix).toBeUndefined();
      const documents = findings.find((f) => f.object === 'public.documents.body')!;
      expect(documents.fix?.sql).toBe('CREATE INDEX CONCURRENTLY documents_body_gin_idx ON public.documents USING gin (body jsonb_path_ops);');
    });

    it('is silent when the catalog is not a live database', async () => {
      expect(await check(false)).toEqual([]);
    });

    it('stops reporting once the fix is applied', async () => {
      const before = await check(true);
      await engine.exec(before.find((f) => f.object === 'public.documents.body')!.fix!.sql);
      expect((await check(true)).map((f) => f.object)).toEqual(['public.events.payload']);
    });
  });
}
