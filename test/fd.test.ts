// Functional-dependency discovery: the TANE-style core on hand-made columns, and the rule on a
// generated 100,000-row × 12-column table in PGlite (the benchmark's table): exactly the planted
// dependency, and nothing on independent data of the same shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fdTableSql, FD_ROWS } from '../bench/fd.js';
import { introspect } from '../src/catalog/introspect.js';
import { emptyOrigin } from '../src/catalog/origin.js';
import type { Catalog } from '../src/catalog/types.js';
import { openEngine, type Engine } from '../src/engine/index.js';
import { discoverDependencies, groupDependencies, type CodedColumn } from '../src/rules/schema/fd-tane.js';
import { functionalDependency } from '../src/rules/schema/functional-dependency.js';
import { loadParser } from '../src/sql/parse.js';

const coded = (name: string, values: number[]): CodedColumn => {
  const codes = new Map<number, number>();
  return { name, codes: Int32Array.from(values, (v) => codes.get(v) ?? codes.set(v, codes.size).get(v)!), distinct: new Set(values).size };
};
const rows = Array.from({ length: 600 }, (_, i) => i);

describe('fd-tane', () => {
  it('finds A → B and a two-column AB → C, each minimal', () => {
    const a = coded('a', rows.map((g) => g % 30));
    const b = coded('b', rows.map((g) => (g % 30) % 7)); // a → b
    const c = coded('c', rows.map((g) => g % 4));
    const d = coded('d', rows.map((g) => ((g % 4) * 5 + (g % 5)) % 17)); // c, e → d (e = g % 5)
    const e = coded('e', rows.map((g) => g % 5));
    const found = discoverDependencies([a, b, c, d, e], rows.length).dependencies.map((x) => `${x.lhs.join(',')}>${x.rhs}`);
    expect(found).toContain('a>b');
    expect(found).toContain('c,e>d');
    // not minimal: a alone already determines b
    expect(found.filter((f) => f.endsWith('>b'))).toEqual(['a>b']);
  });

  it('needs support: fewer than 10 left-hand values, or about one row per value, is no evidence', () => {
    const few = coded('few', rows.map((g) => g % 5));
    const label = coded('label', rows.map((g) => (g % 5) * 3));
    const unique = coded('unique', rows.map((g) => g % 400));
    const other = coded('other', rows.map((g) => (g % 400) % 13));
    expect(discoverDependencies([few, label, unique, other], rows.length).dependencies).toEqual([]);
  });

  it('is not fooled by a nearly constant column', () => {
    const x = coded('x', rows.map((g) => g % 60));
    const rare = coded('rare', rows.map((g) => (g === 7 ? 1 : 0))); // x → rare holds, but by luck
    expect(discoverDependencies([x, rare], rows.length).dependencies).toEqual([]);
  });

  it('reports columns that determine each other once, and drops A → C when A → B → C', () => {
    const deps = [
      { lhs: ['code'], rhs: 'name', lhsDistinct: 20, log10Chance: -50 },
      { lhs: ['name'], rhs: 'code', lhsDistinct: 20, log10Chance: -50 },
      { lhs: ['code'], rhs: 'continent', lhsDistinct: 20, log10Chance: -50 },
      { lhs: ['name'], rhs: 'continent', lhsDistinct: 20, log10Chance: -50 },
      { lhs: ['city'], rhs: 'code', lhsDistinct: 90, log10Chance: -50 },
      { lhs: ['city'], rhs: 'name', lhsDistinct: 90, log10Chance: -50 },
      { lhs: ['city'], rhs: 'continent', lhsDistinct: 90, log10Chance: -50 },
    ];
    const groups = groupDependencies(deps, ['city', 'code', 'name', 'continent']);
    expect(groups.map((g) => [g.lhs.join(','), g.dependents.join(','), g.equivalents.join(',')])).toEqual([
      ['code', 'continent', 'name'],
      ['city', 'code,name', ''],
    ]);
  });
});

describe('functional-dependency on 100,000 generated rows (PGlite)', () => {
  let engine: Engine;
  let catalog: Catalog;
  beforeAll(async () => {
    await loadParser();
    engine = await openEngine();
    await engine.exec(`${fdTableSql('public.planted', true)}\n${fdTableSql('public.independent', false)}`);
    catalog = await introspect(engine);
  }, 120_000);
  afterAll(() => engine?.close());

  const check = async (table: string, sampleRows = FD_ROWS) => {
    const only = { ...catalog, tables: catalog.tables.filter((t) => t.name === table) };
    return functionalDependency.check({ catalog: only, origin: emptyOrigin(), engine, profile: 'default', exposedSchemas: ['public'], sampleRows, live: false });
  };

  it('finds exactly the planted dependency', async () => {
    const findings = await check('planted');
    expect(findings.map((f) => f.object)).toEqual(['public.planted.customer_name']);
    expect(findings[0].message).toMatch(/^planted\.customer_id → planted\.customer_name \(rows 100000, 2,000 distinct customer_id, 0 violations\)/);
    expect(findings[0].fix?.sql).toContain('CREATE TABLE public.planted_customer_id');
  });

  it('finds nothing in independent data of the same shape', async () => {
    expect(await check('independent')).toEqual([]);
  });

  it('samples a larger table with TABLESAMPLE … REPEATABLE: the same rows, the same finding, every run', async () => {
    const first = await check('planted', 20_000);
    const second = await check('planted', 20_000);
    expect(first.map((f) => f.object)).toEqual(['public.planted.customer_name']);
    expect(first[0].message).toMatch(/rows \d+ sampled of ~100,000/);
    expect(second.map((f) => f.message)).toEqual(first.map((f) => f.message));
  });
});
