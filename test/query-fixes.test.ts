// The fixes query rules propose are real SQL: on the seeded base data (src/rules/query/base.sql), on
// both engines, a rewritten query returns the rows the original returns (keyset pagination: the same
// page), the estimate query returns the table's size, and the index DDL runs and then silences the rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine/index.js';
import { queryCatalogFrom } from '../src/query/catalog.js';
import { prepareQueryCases, QUERY_CASE_EXTENSIONS, runQueryCase, type QueryCaseResult } from '../src/query/cases.js';
import { lintStatement } from '../src/query/lint.js';
import { sqlUnit } from '../src/query/sources.js';
import { defaultConfig } from '../src/config.js';
import { readCases } from '../src/rules/cases.js';
import { queryRules } from '../src/rules/registry.js';
import { parseFile, type ParsedFile } from '../src/sql/parse.js';
import type { Finding } from '../src/types.js';
import { ENGINES } from './helpers/server.js';

type Row = Record<string, unknown>;
const sorted = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();
const rule = (id: string) => queryRules.find((r) => r.id === id)!;

for (const target of ENGINES) {
  describe(`query fixes run on ${target.name}`, () => {
    let engine: Engine;
    let n = 0;
    const parsedFiles = new Map<string, ParsedFile>();

    beforeAll(async () => {
      engine = await openEngine({ database: target.database, scratch: true, extensions: QUERY_CASE_EXTENSIONS });
      await prepareQueryCases(engine);
    });
    afterAll(() => engine?.close());

    /** Run one case of a rule in a fresh schema (base data loaded), returning its findings and query. */
    const runCase = async (id: string, title: string): Promise<QueryCaseResult & { finding: Finding; query: string; parsed: ParsedFile }> => {
      const { path, text, cases } = readCases('query', id);
      const parsed = parsedFiles.get(id) ?? (await parseFile(text, path));
      parsedFiles.set(id, parsed);
      const c = cases.find((x) => x.title === title);
      expect(c, `case "${title}" of ${id}`).toBeDefined();
      const result = await runQueryCase(engine, rule(id), parsed, c!, `fix_${++n}`);
      expect(result.errors).toEqual([]);
      expect(result.findings).toHaveLength(1);
      return { ...result, finding: result.findings[0], query: result.queries[result.queries.length - 1].text, parsed };
    };
    const rows = async (sql: string, params?: unknown[]) => (await engine.query<Row>(sql, params)).rows;
    /** Run DDL statement by statement, as a runner outside a transaction would (CONCURRENTLY needs it). */
    const runScript = async (sql: string) => {
      const parsed = await parseFile(sql);
      expect(parsed.findings).toEqual([]);
      for (const s of parsed.statements) await engine.exec(s.text);
    };
    /** The case's query linted again, against the catalog as it is now. */
    const relint = async (result: QueryCaseResult & { parsed: ParsedFile }, id: string) => {
      const env = { catalog: await queryCatalogFrom(engine, { live: false }), config: defaultConfig(), assumeRows: {}, smallTableRows: 10_000, rules: [rule(id)] };
      const query = result.queries[result.queries.length - 1];
      return (await lintStatement(env, sqlUnit(result.parsed), query)).filter((f) => f.rule === id);
    };

    it('select-star: the named columns return exactly what the star returned', async () => {
      for (const title of ['the profile page reads every column', 'every column of one side of a join']) {
        const r = await runCase('select-star', title);
        const before = await rows(r.query);
        expect(before.length).toBe(1);
        expect(await rows(r.finding.fix!.sql)).toEqual(before);
      }
    });

    it('count-for-existence: EXISTS gives the same answer as the count', async () => {
      const own = await runCase('count-for-existence', '"has this customer ever ordered?" counts every order');
      expect(await rows(own.finding.fix!.sql)).toEqual(await rows(own.query));
      expect(await rows(own.query)).toEqual([{ has_orders: true }]);
      const sub = await runCase('count-for-existence', 'customers without orders, counted in a sub-select');
      const before = await rows(sub.query);
      expect(before.length).toBeGreaterThan(0);
      expect(sorted(await rows(sub.finding.fix!.sql))).toEqual(sorted(before));
    });

    it('not-in-subquery: NOT EXISTS returns the same rows, and escapes the NULL trap', async () => {
      for (const title of ['customers who never ordered (customer_id is NOT NULL, but no anti-join)', '<> ALL is the same trap']) {
        const r = await runCase('not-in-subquery', title);
        const before = await rows(r.query);
        expect(before.length).toBeGreaterThan(0);
        expect(sorted(await rows(r.finding.fix!.sql))).toEqual(sorted(before));
      }
      // referred_by holds NULLs: NOT IN returns nothing at all, NOT EXISTS the customers never referred by a paid order.
      const trap = await runCase('not-in-subquery', 'a nullable column: one NULL and the query returns nothing');
      expect(await rows(trap.query)).toEqual([]);
      const fixed = await rows(trap.finding.fix!.sql);
      const expected = await rows(`select id, email from customers c where not exists (select 1 from orders o where o.status = 'paid' and o.referred_by = c.id)`);
      expect(fixed.length).toBeGreaterThan(0);
      expect(sorted(fixed)).toEqual(sorted(expected));
    });

    it('offset-pagination: the keyset query returns the same page as OFFSET', async () => {
      const r = await runCase('offset-pagination', 'a page number from the application, sorted by a column that is not unique');
      const keyset = r.finding.fix!.sql;
      expect(keyset).toContain('(created_at, id) < ($1, $2)');
      expect(keyset).not.toMatch(/OFFSET/i);
      for (const offset of [5, 20]) {
        const page = await rows(r.query, [offset]);
        expect(page.length).toBeGreaterThan(0);
        const [last] = await rows(r.query, [offset - 1]); // the last row of the previous page
        expect(await rows(keyset, [last.created_at, last.id])).toEqual(page);
      }
    });

    it('exact-count-large-table: the estimate is the table size once analyzed', async () => {
      const plain = await runCase('exact-count-large-table', 'an exact count of a table assumed to hold five million rows');
      expect(await rows(plain.finding.fix!.sql)).toEqual([{ count: null }]); // never analyzed (PG 14+): unknown, not 0
      await engine.exec('ANALYZE orders');
      const [estimate] = await rows(plain.finding.fix!.sql);
      const [exact] = await rows(plain.query);
      expect(Number(estimate.count)).toBe(Number(exact.count));

      const partitioned = await runCase('exact-count-large-table', 'a partitioned table: the estimate sums its partitions');
      await engine.exec(`INSERT INTO events SELECT g, timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, 5000) g; ANALYZE events;`);
      const [sum] = await rows(partitioned.finding.fix!.sql);
      expect(Number(sum.total)).toBe(5000);
    });

    it('non-sargable-predicate: the expression index builds and the rule is then silent', async () => {
      for (const title of ['lower() hides email from its unique index', 'date() hides placed_at from orders_placed_at_idx', 'so does a cast, with a table alias']) {
        const r = await runCase('non-sargable-predicate', title);
        expect(r.finding.fix!.sql).toMatch(/CREATE INDEX CONCURRENTLY \w+ ON fix_\d+\.\w+ \(+/);
        await runScript(r.finding.fix!.sql);
        expect(await relint(r, 'non-sargable-predicate')).toEqual([]);
      }
      // date() of a timestamptz is only STABLE: PostgreSQL refuses such an index, so none is proposed.
      const stable = await runCase('non-sargable-predicate', 'date() of a timestamptz depends on TimeZone: no expression index is possible, only a range');
      expect(stable.finding.fix).toBeUndefined();
      expect(stable.finding.hint).toContain('half-open range');
    });

    it('leading-wildcard-like: the trigram index builds, serves the query, and the rule is then silent', async () => {
      for (const title of ['the search box matches anywhere in the name', "ILIKE with the user's input between wildcards"]) {
        const r = await runCase('leading-wildcard-like', title);
        expect(r.finding.fix!.sql).toContain('CREATE EXTENSION IF NOT EXISTS pg_trgm;');
        expect(r.finding.fix!.sql).toMatch(/USING gin \(\w+ gin_trgm_ops\)/);
        await runScript(r.finding.fix!.sql);
        expect(await relint(r, 'leading-wildcard-like')).toEqual([]);
        if (r.query.includes('$1')) continue;
        // The planner can use it for the pattern (seq scans priced out, as on a large table).
        await engine.exec('SET enable_seqscan = off');
        try {
          const plan = JSON.stringify(await rows(`EXPLAIN (FORMAT JSON) ${r.query}`));
          expect(plan).toContain('products_name_trgm_idx');
        } finally {
          await engine.exec('RESET enable_seqscan');
        }
      }
    });
  });
}
