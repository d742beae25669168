// The index advisor against two reference baselines, on the same planted workload (examples/advisor),
// the same engine and the same what-if costing, in one process, on each engine: embedded PGlite (real
// indexes on the copy) and, when the server is reachable, a scratch database of it with HypoPG:
//  * Dexter-style: Dexter's own rules (see dexterStyle): per query at most one single- or two-column
//    btree on the columns it mentions, kept when it halves the cost; no re-costing, no write cost;
//  * index_advisor-style (Supabase): per query, the best single-column btree that lowers its cost.
// Each index set is then judged the same way: the weighted cost of the whole workload re-planned with
// the set, plus the write cost it adds; and on PGlite the real time of the workload's reads, run for
// real on the copy with the set switched on. Target: ≥ 1.3x Dexter-style's cost reduction with ≤ its indexes.
import { openAdvisor, type AdvisorSession } from '../dist/advise/advise.js';
import { candidate } from '../dist/advise/candidates.js';
import { selectIndexes, writeCostOf, type Costed } from '../dist/advise/select.js';
import type { CandidateIndex, KeyPart } from '../dist/advise/types.js';
import { columnNames } from '../dist/rules/query/scope.js';
import { quoteIdent } from '../dist/sql/quote.js';
import { walkNodes } from '../dist/sql/tree.js';
import { writeResult } from './util.js';
import { readFileSync } from 'node:fs';
import pg from 'pg';

const DIR = 'examples/advisor';
const OPTIONS = { maxSize: Infinity, writeWeight: 1, minGain: 0.001 };

interface Judged {
  name: string;
  indexes: number;
  sizeMb: number;
  cost: number;
  reductionPct: number;
  /** Real time of the reads with the set built (real indexes only: HypoPG's are seen by EXPLAIN alone). */
  readMs?: number;
  ms: number;
  sql: string[];
}

const tableOf = (c: { schema: string; table: string }) => `${c.schema}.${c.table}`;

async function planned(s: AdvisorSession, q: Costed, set: CandidateIndex[]): Promise<number> {
  const relevant = set.filter((c) => q.tables.has(tableOf(c)));
  return relevant.length ? (await s.whatif.plan(q.query, relevant, [])).cost : q.base.cost;
}

/** The workload's weighted cost with the set, write cost included (every set judged alike). */
async function workloadCost(s: AdvisorSession, set: CandidateIndex[]): Promise<number> {
  let total = 0;
  for (const q of s.costed) total += q.query.weight * (await planned(s, q, set));
  return total + set.reduce((n, c) => n + writeCostOf(c, s.costed, 1), 0);
}

/** Real time of the reads, weighted: each read run 3 times with the set switched on, best time kept. */
async function readTime(s: AdvisorSession, set: CandidateIndex[]): Promise<number> {
  let total = 0;
  for (const q of s.costed) {
    if (q.query.kind !== 'select') continue;
    await s.whatif.plan(q.query, set.filter((c) => q.tables.has(tableOf(c))), []); // switches exactly this set on
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await s.engine.query(q.query.sql, q.query.params ?? []);
      best = Math.min(best, performance.now() - t);
    }
    total += q.query.weight * best;
  }
  return total;
}

function singles(s: AdvisorSession, queryId: number): CandidateIndex[] {
  return s.candidates.filter((c) => c.method === 'btree' && c.keys.length === 1 && c.keys[0].column && !c.include.length && !c.where && c.queries.has(queryId) && s.prepared.sizes.has(c.id));
}

/** Real indexes for the candidates not built yet (the copy builds each once); those that fail are left out. */
async function built(s: AdvisorSession, set: CandidateIndex[]): Promise<CandidateIndex[]> {
  const fresh = set.filter((c) => !s.prepared.sizes.has(c.id));
  const made = await s.whatif.prepare(fresh);
  for (const [id, size] of made.sizes) s.prepared.sizes.set(id, size);
  return set.filter((c) => s.prepared.sizes.has(c.id));
}

async function best(s: AdvisorSession, q: Costed, options: CandidateIndex[]): Promise<{ c: CandidateIndex; cost: number } | undefined> {
  let found: { c: CandidateIndex; cost: number } | undefined;
  for (const c of options) {
    const cost = await planned(s, q, [c]);
    if (!found || cost < found.cost) found = { c, cost };
  }
  return found;
}

/**
 * Dexter's rules, read from its indexer (ankane/dexter, lib/dexter/indexer.rb, determine_indexes):
 * candidate columns are every column name the query mentions, on each of its tables that has one;
 * pass 1 costs single-column btrees, pass 2 two-column ones in both orders; a two-column index is
 * kept when the query's cost with the best single one is over 100 and the pair halves it again,
 * otherwise the single one when it halves the starting cost; at most one index per query; queries
 * that start under cost 100 are skipped; a single index that a kept pair starts with is dropped.
 */
async function dexterStyle(s: AdvisorSession): Promise<CandidateIndex[]> {
  const chosen = new Map<string, CandidateIndex>();
  for (const q of s.costed) {
    if (q.query.kind === 'insert' || q.base.cost < 100) continue;
    const mentioned = new Set<string>();
    walkNodes(q.query.stmt.node, (n) => {
      const names = n.ColumnRef ? columnNames(n.ColumnRef) : undefined;
      if (names) mentioned.add(names[names.length - 1]);
    });
    const columnsByTable = s.catalog.tables
      .filter((t) => q.tables.has(`${t.schema}.${t.name}`))
      .map((t) => ({ t, columns: t.columns.filter((c) => mentioned.has(c.name)) }));
    const key = (column: string): KeyPart => ({ sql: quoteIdent(column), column, reads: [column] });
    const one = await built(s, columnsByTable.flatMap(({ t, columns }) => columns.map((c) => candidate(t, 'btree', [key(c.name)], [], undefined, [], 'single', q.query.id))));
    const two = await built(s, columnsByTable.flatMap(({ t, columns }) => columns.flatMap((a) => columns.filter((b) => b !== a).map((b) => candidate(t, 'btree', [key(a.name), key(b.name)], [], undefined, [], 'composite', q.query.id)))));
    const single = await best(s, q, one);
    const pair = await best(s, q, two);
    if (single && pair && single.cost > 100 && pair.cost < single.cost * 0.5) chosen.set(pair.c.id, pair.c);
    else if (single && single.cost < q.base.cost * 0.5) chosen.set(single.c.id, single.c);
  }
  const led = new Set([...chosen.values()].filter((c) => c.keys.length > 1).map((c) => `${tableOf(c)} ${c.keys[0].sql}`));
  return [...chosen.values()].filter((c) => c.keys.length > 1 || !led.has(`${tableOf(c)} ${c.keys[0].sql}`));
}

/** index_advisor's rule: per query, the single-column btree that lowers its cost most, if any does. */
async function indexAdvisorStyle(s: AdvisorSession): Promise<CandidateIndex[]> {
  const chosen = new Map<string, CandidateIndex>();
  for (const q of s.costed) {
    if (q.query.kind === 'insert') continue;
    const found = await best(s, q, singles(s, q.query.id));
    if (found && found.cost < q.base.cost * 0.999) chosen.set(found.c.id, found.c);
  }
  return [...chosen.values()];
}

async function judge(s: AdvisorSession, name: string, set: CandidateIndex[], ms: number, before: number, reads: boolean): Promise<Judged> {
  const cost = await workloadCost(s, set);
  return {
    name,
    indexes: set.length,
    sizeMb: set.reduce((n, c) => n + (s.prepared.sizes.get(c.id) ?? 0), 0) / 1048576,
    cost,
    reductionPct: ((before - cost) / before) * 100,
    ...(reads ? { readMs: await readTime(s, set) } : {}),
    ms,
    sql: set.map((c) => c.id),
  };
}

interface EngineRun {
  engine: string;
  setupMs: number;
  queries: number;
  candidates: number;
  results: Judged[];
  ratioToDexter: number;
}

/** One engine: the three advisors' sets judged alike; real read times only where the indexes are real. */
async function runOn(engine: string, s: AdvisorSession, setupMs: number): Promise<EngineRun> {
  const reads = s.whatif.costing === 'real';
  const before = await workloadCost(s, []);
  const results: Judged[] = [await judge(s, 'no new index', [], 0, before, reads)];
  let t = performance.now();
  const dexter = await dexterStyle(s);
  const dexterMs = performance.now() - t;
  // The same budget: at most as many indexes as Dexter-style chose.
  t = performance.now();
  const ours = await selectIndexes(s.costed, s.candidates, s.prepared.sizes, s.whatif, { ...OPTIONS, maxIndexes: dexter.length });
  results.push(await judge(s, 'pgarch', ours.chosen, performance.now() - t, before, reads));
  results.push(await judge(s, 'Dexter-style', dexter, dexterMs, before, reads));
  t = performance.now();
  const supa = await indexAdvisorStyle(s);
  results.push(await judge(s, 'index_advisor-style', supa, performance.now() - t, before, reads));
  console.log(`${engine}: ${s.costed.length} queries, ${s.candidates.length} candidates; shared setup (${reads ? 'schema, data, plans, candidate builds' : 'catalog, plans, hypothetical candidates, GIN sample'}) ${(setupMs / 1000).toFixed(1)} s`);
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(20)} ${String(r.indexes).padStart(2)} indexes ${r.sizeMb.toFixed(1).padStart(6)} MB  cost ${Math.round(r.cost).toLocaleString('en-US').padStart(12)} (−${r.reductionPct.toFixed(1)}%)${reads ? `  reads ${r.readMs!.toFixed(0).padStart(7)} ms/period` : ''}  selection ${(r.ms / 1000).toFixed(2)} s`,
    );
  }
  const [none, p, d, i] = results;
  const ratio = p.reductionPct / d.reductionPct;
  // What each leaves of the workload's cost: the ratio of reductions is bounded by 100 / Dexter-style's.
  console.log(`  pgarch's cost reduction is ${ratio.toFixed(2)}x Dexter-style's (at most ${(100 / d.reductionPct).toFixed(2)}x is possible here) with ${p.indexes} vs ${d.indexes} indexes, target ≥ 1.3x with ≤ its count; ${(p.reductionPct / i.reductionPct).toFixed(2)}x index_advisor-style's; it leaves ${((d.cost / p.cost)).toFixed(1)}x less of the cost than Dexter-style`);
  if (reads) console.log(`  real read time of the workload: ${none.readMs!.toFixed(0)} ms → ${p.readMs!.toFixed(0)} ms with pgarch's, ${d.readMs!.toFixed(0)} ms with Dexter-style's`);
  console.log(`  advisor time per query: ${((setupMs + p.ms) / s.costed.length / 1000).toFixed(2)} s (setup included)`);
  return { engine, setupMs, queries: s.costed.length, candidates: s.candidates.length, results, ratioToDexter: Number(ratio.toFixed(3)) };
}

/** The planted schema and data in a scratch database of the server, with HypoPG; undefined when there is no server. */
async function serverCopy(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const base = process.env.PGARCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: base });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `pgarch_bench_advisor_${process.pid}`;
  await admin.query(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    await db.query('create extension hypopg; create extension pg_trgm');
    await db.query(readFileSync(`${DIR}/schema.sql`, 'utf8'));
    await db.query(readFileSync(`${DIR}/data.sql`, 'utf8'));
    await db.query('vacuum analyze');
  } finally {
    await db.end();
  }
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export async function benchAdvisor(): Promise<void> {
  console.log('\n== index advisor: pgarch vs Dexter-style and index_advisor-style baselines (examples/advisor)');
  const runs: EngineRun[] = [];
  let t0 = performance.now();
  const embedded = await openAdvisor({ schema: [`${DIR}/schema.sql`, `${DIR}/data.sql`], workload: [`${DIR}/workload.sql`] });
  try {
    runs.push(await runOn('embedded PGlite, real indexes on the copy', embedded, performance.now() - t0));
  } finally {
    await embedded.close();
  }
  const server = await serverCopy();
  if (!server) console.log('server: not reachable, HypoPG run skipped');
  else {
    try {
      t0 = performance.now();
      const live = await openAdvisor({ database: server.url, workload: [`${DIR}/workload.sql`] });
      try {
        runs.push(await runOn('PostgreSQL server, HypoPG', live, performance.now() - t0));
      } finally {
        await live.close();
      }
    } finally {
      await server.drop();
    }
  }
  writeResult('advisor', { runs });
}
