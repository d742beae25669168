// Choosing the indexes: greedy selection with re-costing over the whole workload, after Extend
// (R. Schlosser, J. Kossmann, M. Boissier, "Efficient Scalable Multi-attribute Index Selection Using
// Recursive Strategies", ICDE 2019). Each step takes the move with the largest gain — a new index,
// or widening one already chosen (Extend's "extend by an attribute") — where the gain is the
// weighted cost of the whole workload re-planned with the index set (so indexes that serve the same
// queries do not both count), minus the write cost the index adds; it stops at the budgets or when
// no move gains enough. A pass then drops chosen indexes a later choice made redundant, and the steps
// go on with the budget that frees.
import { isPrefix } from './candidates.js';
import type { CandidateIndex, WorkloadQuery } from './types.js';
import type { WhatIf, WhatIfPlan } from './whatif.js';

export interface SelectionOptions {
  maxIndexes: number;
  /** Bytes; Infinity for none. */
  maxSize: number;
  /** Multiplies the write cost charged per index (default 1). */
  writeWeight: number;
  /** Smallest gain worth an index, as a fraction of the workload's cost (the advisor uses 0.001). */
  minGain: number;
  /** Rows written per period per table (`schema.name`) as the live database counted them; charged when above the workload's writes. */
  tableWrites?: Map<string, TableWrites>;
}

/** From pg_stat_user_tables: rows inserted, and rows updated outside HOT (each maintains every index). */
export interface TableWrites {
  inserted: number;
  nonHotUpdated: number;
}

/**
 * Planner cost units charged per row written per index maintained: about two page accesses — the
 * leaf page and its WAL record — which is what an index insert costs beyond the heap's own write.
 */
export const INDEX_WRITE_COST = 2;

export interface Costed {
  query: WorkloadQuery;
  tables: Set<string>;
  base: WhatIfPlan;
  /** Columns an UPDATE sets, per table; undefined for other kinds. */
  sets?: Set<string>;
  /** Table a write changes. */
  writes?: string;
}

export interface Selection {
  chosen: CandidateIndex[];
  /** Final plan per query id. */
  after: Map<number, WhatIfPlan>;
  totalBefore: number;
  totalAfter: number;
  /** Benefit each chosen index adds at the end (removing it would cost this much), write cost deducted. */
  benefit: Map<string, number>;
  writeCost: Map<string, number>;
}

const tableOf = (c: { schema: string; table: string }) => `${c.schema}.${c.table}`;

/** Write cost per period an index adds: rows written to its table × weight, for writes that maintain it. */
export function writeCostOf(index: { schema: string; table: string; keys: Array<{ reads: string[] }>; include: string[]; whereReads: string[] }, workload: Costed[], writeWeight: number, tableWrites?: Map<string, TableWrites>): number {
  // The live database's own counts hold every write, not only those the workload lists: the larger of the two.
  const counted = tableWrites?.get(tableOf(index));
  const fromCounters = counted ? (counted.inserted + counted.nonHotUpdated) * INDEX_WRITE_COST * writeWeight : 0;
  let cost = 0;
  const reads = new Set([...index.keys.flatMap((k) => k.reads), ...index.include.map(unquote), ...index.whereReads]);
  for (const w of workload) {
    if (w.writes !== tableOf(index)) continue;
    const kind = w.query.kind;
    // A DELETE leaves index entries to VACUUM; an UPDATE of columns the index does not read can be HOT.
    if (kind === 'delete') continue;
    if (kind === 'update' && w.sets && ![...w.sets].some((c) => reads.has(c))) continue;
    cost += w.query.weight * Math.max(1, w.base.rows) * INDEX_WRITE_COST;
  }
  return Math.max(cost * writeWeight, fromCounters);
}

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

export async function selectIndexes(workload: Costed[], candidates: CandidateIndex[], sizes: Map<string, number>, whatif: WhatIf, options: SelectionOptions): Promise<Selection> {
  const cache = new Map<string, WhatIfPlan>();
  const planWith = async (q: Costed, set: CandidateIndex[]): Promise<WhatIfPlan> => {
    const relevant = set.filter((c) => q.tables.has(tableOf(c)));
    if (relevant.length === 0) return q.base;
    const key = `${q.query.id}:${relevant.map((c) => c.id).sort().join('|')}`;
    let plan = cache.get(key);
    if (!plan) {
      plan = await whatif.plan(q.query, relevant, []);
      cache.set(key, plan);
    }
    return plan;
  };
  const writeCost = new Map(candidates.map((c) => [c.id, writeCostOf(c, workload, options.writeWeight, options.tableWrites)]));
  const readCost = async (set: CandidateIndex[], only?: string): Promise<number> => {
    let total = 0;
    for (const q of workload) {
      if (only && !q.tables.has(only)) continue;
      total += q.query.weight * (await planWith(q, set)).cost;
    }
    return total;
  };
  /** What `c` adds to `set` (which holds it): the reads it saves on its table, less its write cost. */
  const marginal = async (c: CandidateIndex, set: CandidateIndex[]): Promise<number> =>
    (await readCost(set.filter((x) => x !== c), tableOf(c))) - (await readCost(set, tableOf(c))) - writeCost.get(c.id)!;
  const totalBefore = await readCost([]);
  const threshold = options.minGain * totalBefore;

  // Only candidates some plan actually uses are worth a step.
  const useful: CandidateIndex[] = [];
  for (const c of candidates) if (sizes.has(c.id) && (await marginal(c, [c])) > threshold) useful.push(c);

  let chosen: CandidateIndex[] = [];
  let size = 0;
  // Pruned indexes are not tried again: a prune frees budget for what the greedy steps could not add yet.
  const pruned = new Set<CandidateIndex>();
  for (let round = 0; round < 5; round++) {
    while (chosen.length < options.maxIndexes) {
      let best: { set: CandidateIndex[]; gain: number; size: number } | undefined;
      for (const c of useful) {
        if (chosen.includes(c) || pruned.has(c)) continue;
        const table = tableOf(c);
        const moves: CandidateIndex[][] = [[...chosen, c]];
        // Extend's second move: widen a chosen index into this one instead of adding a second index.
        for (const d of chosen) if (widens(c, d)) moves.push([...chosen.filter((x) => x !== d), c]);
        const now = await readCost(chosen, table);
        for (const set of moves) {
          const removed = chosen.filter((x) => !set.includes(x));
          const extraSize = sizes.get(c.id)! - removed.reduce((n, x) => n + sizes.get(x.id)!, 0);
          if (size + extraSize > options.maxSize) continue;
          const gain = now - (await readCost(set, table)) - writeCost.get(c.id)! + removed.reduce((n, x) => n + writeCost.get(x.id)!, 0);
          // Near-equal gains: the smaller index (a partial one, one without INCLUDE) wins.
          const better = !best || gain > best.gain * 1.03 || (gain >= best.gain * 0.97 && extraSize < best.size);
          if (gain > threshold && better) best = { set, gain, size: extraSize };
        }
      }
      if (!best) break;
      chosen = best.set;
      size += best.size;
    }

    // A later choice can make an earlier one redundant: drop what no longer pays, then fill the budget again.
    const before = chosen.length;
    for (const c of [...chosen]) {
      if ((await marginal(c, chosen)) > threshold) continue;
      chosen = chosen.filter((x) => x !== c);
      size -= sizes.get(c.id)!;
      pruned.add(c);
    }
    if (chosen.length === before || chosen.length >= options.maxIndexes) break;
  }
  const benefit = new Map<string, number>();
  for (const c of chosen) benefit.set(c.id, await marginal(c, chosen));
  const after = new Map<number, WhatIfPlan>();
  for (const q of workload) after.set(q.query.id, await planWith(q, chosen));
  const totalAfter = (await readCost(chosen)) + chosen.reduce((n, c) => n + writeCost.get(c.id)!, 0);
  return { chosen, after, totalBefore, totalAfter, benefit, writeCost };
}

/** `c` extends `d`: same table, method and predicate, d's keys a prefix of c's. */
export function widens(c: CandidateIndex, d: { schema: string; table: string; method: string; keys: CandidateIndex['keys']; where?: string; include: string[] }): boolean {
  return tableOf(c) === tableOf(d) && c.method === d.method && c.where === d.where && isPrefix(d.keys, c.keys) && d.include.every((i) => c.include.includes(i) || c.keys.some((k) => k.sql === i));
}
