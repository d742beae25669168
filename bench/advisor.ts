// The index advisor against two reference baselines, on the same planted workload (examples/advisor),
// the same engine and the same what-if costing, in one process:
//  * Dexter-style: per query, the best single-column or two-column (both orders) btree on the columns
//    it filters, kept when it saves at least 50% of that query's cost; no re-costing, no write cost;
//  * index_advisor-style (Supabase): per query, the best single-column btree that lowers its cost.
// Each index set is then judged the same way: the weighted cost of the whole workload re-planned with
// the set, plus the write cost it adds; and the real time of the workload's reads, run for real on
// the copy with the set switched on. Target: ≥ 1.3x Dexter-style's cost reduction with ≤ its indexes.
import { openAdvisor, type AdvisorSession } from '../dist/advise/advise.js';
import { candidate } from '../dist/advise/candidates.js';
import { selectIndexes, writeCostOf, type Costed } from '../dist/advise/select.js';
import type { CandidateIndex } from '../dist/advise/types.js';
import { writeResult } from './util.js';

const DIR = 'examples/advisor';
const OPTIONS = { maxIndexes: 10, maxSize: Infinity, writeWeight: 1, minGain: 0.001 };

interface Judged {
  name: string;
  indexes: number;
  sizeMb: number;
  cost: number;
  reductionPct: number;
  readMs: number;
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

async function perQuery(s: AdvisorSession, options: (q: Costed) => Promise<CandidateIndex[]>, keep: (best: number, base: number) => boolean): Promise<CandidateIndex[]> {
  const chosen = new Map<string, CandidateIndex>();
  for (const q of s.costed) {
    if (q.query.kind === 'insert') continue;
    let best: { c: CandidateIndex; cost: number } | undefined;
    for (const c of await options(q)) {
      const cost = await planned(s, q, [c]);
      if (!best || cost < best.cost) best = { c, cost };
    }
    if (best && keep(best.cost, q.base.cost)) chosen.set(best.c.id, best.c);
  }
  return [...chosen.values()];
}

async function dexterStyle(s: AdvisorSession): Promise<CandidateIndex[]> {
  return perQuery(
    s,
    async (q) => {
      const one = singles(s, q.query.id);
      const pairs: CandidateIndex[] = [];
      for (const a of one) for (const b of one) {
        if (a === b || a.table !== b.table || a.schema !== b.schema) continue;
        pairs.push(candidate({ schema: a.schema, name: a.table } as never, 'btree', [a.keys[0], b.keys[0]], [], undefined, [], 'composite', q.query.id));
      }
      const fresh = pairs.filter((p) => !s.prepared.sizes.has(p.id));
      const made = await s.whatif.prepare(fresh);
      for (const [id, size] of made.sizes) s.prepared.sizes.set(id, size);
      return [...one, ...pairs.filter((p) => s.prepared.sizes.has(p.id))];
    },
    (best, base) => best <= base * 0.5,
  );
}

async function indexAdvisorStyle(s: AdvisorSession): Promise<CandidateIndex[]> {
  return perQuery(s, async (q) => singles(s, q.query.id), (best, base) => best < base * 0.999);
}

async function judge(s: AdvisorSession, name: string, set: CandidateIndex[], ms: number, before: number): Promise<Judged> {
  const cost = await workloadCost(s, set);
  return {
    name,
    indexes: set.length,
    sizeMb: set.reduce((n, c) => n + (s.prepared.sizes.get(c.id) ?? 0), 0) / 1048576,
    cost,
    reductionPct: ((before - cost) / before) * 100,
    readMs: await readTime(s, set),
    ms,
    sql: set.map((c) => c.id),
  };
}

export async function benchAdvisor(): Promise<void> {
  console.log('\n== index advisor: pgarch vs Dexter-style and index_advisor-style baselines (examples/advisor, embedded PGlite, real indexes)');
  const t0 = performance.now();
  const s = await openAdvisor({ schema: [`${DIR}/schema.sql`, `${DIR}/data.sql`], workload: [`${DIR}/workload.sql`] });
  const setupMs = performance.now() - t0;
  try {
    const before = await workloadCost(s, []);
    const results: Judged[] = [await judge(s, 'no new index', [], 0, before)];
    let t = performance.now();
    const ours = await selectIndexes(s.costed, s.candidates, s.prepared.sizes, s.whatif, OPTIONS);
    results.push(await judge(s, 'pgarch', ours.chosen, performance.now() - t, before));
    t = performance.now();
    const dexter = await dexterStyle(s);
    results.push(await judge(s, 'Dexter-style', dexter, performance.now() - t, before));
    t = performance.now();
    const supa = await indexAdvisorStyle(s);
    results.push(await judge(s, 'index_advisor-style', supa, performance.now() - t, before));
    console.log(`workload: ${s.costed.length} queries, ${s.candidates.length} candidates; shared setup (schema, data, plans, candidate builds) ${(setupMs / 1000).toFixed(1)} s`);
    for (const r of results) {
      console.log(`  ${r.name.padEnd(20)} ${String(r.indexes).padStart(2)} indexes ${r.sizeMb.toFixed(1).padStart(6)} MB  cost ${Math.round(r.cost).toLocaleString('en-US').padStart(12)} (−${r.reductionPct.toFixed(1)}%)  reads ${r.readMs.toFixed(0).padStart(7)} ms/period  selection ${(r.ms / 1000).toFixed(2)} s`);
    }
    const [none, p, d, i] = results;
    const ratio = (p.reductionPct / d.reductionPct).toFixed(2);
    console.log(`pgarch's cost reduction is ${ratio}x Dexter-style's with ${p.indexes} vs ${d.indexes} indexes (target ≥ 1.3x with ≤ its count); ${(p.reductionPct / i.reductionPct).toFixed(2)}x index_advisor-style's`);
    console.log(`real read time of the workload: ${none.readMs.toFixed(0)} ms → ${p.readMs.toFixed(0)} ms with pgarch's, ${d.readMs.toFixed(0)} ms with Dexter-style's`);
    console.log(`advisor time per query: ${((setupMs + p.ms) / s.costed.length / 1000).toFixed(2)} s (setup included)`);
    writeResult('advisor', { setupMs, queries: s.costed.length, candidates: s.candidates.length, results, ratioToDexter: Number(ratio) });
  } finally {
    await s.close();
  }
}
