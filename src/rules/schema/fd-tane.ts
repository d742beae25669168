// Exact functional dependency discovery on a sample, after TANE (Huhtala, Kärkkäinen, Porkka and
// Toivonen, "TANE: An Efficient Algorithm for Discovering Functional and Approximate Dependencies",
// The Computer Journal 42(2), 1999): rows are grouped into stripped partitions (equivalence classes of
// equal values, singletons dropped), partitions of attribute pairs are products of single ones, and
// X → E holds exactly when every class of π_X lies inside one class of π_E (π_X refines π_E). Levels
// run by left-hand-side size, and a dependency found at a level prunes its supersets (minimality).
//
// Only left-hand sides of one and two columns are searched, and every dependency must be supported
// and significant, so that data without dependencies (random, independent columns) reports none:
//  - support: the left-hand side has ≥ minLhsDistinct values and ≥ minRowsPerValue rows per value on
//    average (a near-unique side "determines" everything trivially: it is a key, not a dependency);
//  - significance: the chance that independent data would agree inside every class by luck,
//    Π over classes of Σ_v p_v^size (p_v = E's value frequencies), is ≤ 10^maxLog10Chance. At 10^-9
//    per candidate, the ~800 candidates of a 12-column table keep the whole search under 10^-6.

/** One column of the sample: a small integer per row (equal values, equal codes). */
export interface CodedColumn {
  name: string;
  codes: Int32Array;
  /** Number of distinct codes (codes are 0 … distinct-1). */
  distinct: number;
}

export interface FdOptions {
  /** Fewest distinct left-hand-side values (default 10). */
  minLhsDistinct?: number;
  /** Fewest rows per left-hand-side value, on average (default 2). */
  minRowsPerValue?: number;
  /** log10 of the largest chance of an accidental dependency that is still reported (default -9). */
  maxLog10Chance?: number;
  /** performance.now() after which the search stops (complete: false). */
  deadline?: number;
  /** Columns searched only as left-hand sides (e.g. parts of a composite key: they can determine, never move). */
  lhsOnly?: Set<string>;
}

export interface Dependency {
  lhs: string[];
  rhs: string;
  /** Distinct values of the left-hand side in the sample. */
  lhsDistinct: number;
  /** log10 of the chance that independent data would show this dependency (very negative: strong evidence). */
  log10Chance: number;
}

export interface FdResult {
  dependencies: Dependency[];
  /** False when the deadline stopped the search (the dependencies found are still exact and minimal). */
  complete: boolean;
}

/** A stripped partition: the classes of size ≥ 2, as row lists laid end to end. */
interface Partition {
  rows: Int32Array;
  /** Class i is rows[starts[i] … starts[i+1]). */
  starts: Int32Array;
  /** |π|: classes including the singletons that were stripped. */
  distinct: number;
}

function classes(p: Partition): number {
  return p.starts.length - 1;
}

/** π_A from codes by counting sort: O(rows + distinct). */
export function partitionOf(column: CodedColumn): Partition {
  const n = column.codes.length;
  const counts = new Int32Array(column.distinct);
  for (let i = 0; i < n; i++) counts[column.codes[i]]++;
  const offset = new Int32Array(column.distinct);
  const starts: number[] = [0];
  let total = 0;
  for (let v = 0; v < column.distinct; v++) {
    offset[v] = counts[v] >= 2 ? total : -1;
    if (counts[v] >= 2) {
      total += counts[v];
      starts.push(total);
    }
  }
  const rows = new Int32Array(total);
  for (let i = 0; i < n; i++) {
    const at = offset[column.codes[i]];
    if (at >= 0) rows[offset[column.codes[i]]++] = i;
  }
  return { rows, starts: Int32Array.from(starts), distinct: column.distinct };
}

/** π_AB from π̂_A and B's codes: each class of A split by B's values (TANE's stripped product), O(||π̂_A||). */
export function productWith(a: Partition, b: CodedColumn, rowCount: number, scratch: { head: Int32Array; next: Int32Array }): Partition {
  const { head, next } = scratch;
  const out = new Int32Array(a.rows.length);
  const starts: number[] = [0];
  let written = 0;
  let strippedRows = 0;
  const touched: number[] = [];
  for (let c = 0; c < classes(a); c++) {
    for (let i = a.starts[c]; i < a.starts[c + 1]; i++) {
      const t = a.rows[i];
      const v = b.codes[t];
      if (head[v] === -1) touched.push(v);
      next[t] = head[v];
      head[v] = t;
    }
    for (const v of touched) {
      let size = 0;
      for (let t = head[v]; t !== -1; t = next[t]) size++;
      if (size >= 2) {
        for (let t = head[v]; t !== -1; t = next[t]) out[written++] = t;
        starts.push(written);
        strippedRows += size;
      }
      head[v] = -1;
    }
    touched.length = 0;
  }
  const kept = starts.length - 1;
  // Rows outside the kept classes are singletons of π_AB: each is a class of its own.
  return { rows: out.subarray(0, written), starts: Int32Array.from(starts), distinct: kept + (rowCount - strippedRows) };
}

/** π_X refines π_E: every class of X carries one value of E. */
export function refines(x: Partition, e: CodedColumn): boolean {
  for (let c = 0; c < classes(x); c++) {
    const first = e.codes[x.rows[x.starts[c]]];
    for (let i = x.starts[c] + 1; i < x.starts[c + 1]; i++) if (e.codes[x.rows[i]] !== first) return false;
  }
  return true;
}

/** Value frequencies of a column, for the significance test. */
function frequencies(column: CodedColumn): Float64Array {
  const counts = new Float64Array(column.distinct);
  for (let i = 0; i < column.codes.length; i++) counts[column.codes[i]]++;
  for (let v = 0; v < counts.length; v++) counts[v] /= column.codes.length;
  return counts;
}

/**
 * log10 of the chance that independent data agree inside every class of x: Σ over classes of
 * log10 Σ_v p_v^size, summed in the log domain (p_max^size underflows for large classes). Stops
 * once below `floor`: only the comparison matters.
 */
export function log10Chance(x: Partition, p: Float64Array, floor: number): number {
  let pMax = 0;
  for (const v of p) if (v > pMax) pMax = v;
  const bySize = new Map<number, number>();
  const classLog = (size: number) => {
    let cached = bySize.get(size);
    if (cached === undefined) {
      let sum = 0;
      for (const v of p) if (v > 0) sum += Math.pow(v / pMax, size);
      cached = size * Math.log10(pMax) + Math.log10(sum);
      bySize.set(size, cached);
    }
    return cached;
  };
  let total = 0;
  for (let c = 0; c < classes(x) && total > floor; c++) total += classLog(x.starts[c + 1] - x.starts[c]);
  return total;
}

/** Minimal exact dependencies X → E with |X| ≤ 2 that pass support and significance. */
export function discoverDependencies(columns: CodedColumn[], rowCount: number, options: FdOptions = {}): FdResult {
  const minDistinct = options.minLhsDistinct ?? 10;
  const minRowsPerValue = options.minRowsPerValue ?? 2;
  const floor = options.maxLog10Chance ?? -9;
  const supported = (distinct: number) => distinct >= minDistinct && rowCount >= minRowsPerValue * distinct;
  const overBudget = () => options.deadline !== undefined && performance.now() > options.deadline;

  // A constant determines nothing and is determined by everything (trivially); a column with more
  // values than a supported side may have can be neither side: X → E needs |π_X| ≥ |π_E|.
  const usable = columns.filter((c) => c.distinct >= 2 && rowCount >= minRowsPerValue * c.distinct);
  const partitions = new Map(usable.map((c) => [c.name, partitionOf(c)]));
  const freq = new Map<string, Float64Array>();
  const frequencyOf = (c: CodedColumn) => freq.get(c.name) ?? freq.set(c.name, frequencies(c)).get(c.name)!;

  const found: Dependency[] = [];
  // Exact single-column dependencies, reported or not: an unsupported A → E (A has 5 values) still
  // makes AB → E non-minimal, so it must prune level 2 like a reported one.
  const holds = new Set<string>(); // `A>E`
  const report = (lhs: string[], x: Partition, e: CodedColumn) => {
    if (options.lhsOnly?.has(e.name) || !supported(x.distinct)) return;
    const chance = log10Chance(x, frequencyOf(e), floor);
    if (chance <= floor) found.push({ lhs, rhs: e.name, lhsDistinct: x.distinct, log10Chance: chance });
  };

  // Level 1: A → E.
  for (const a of usable) {
    if (overBudget()) return { dependencies: found, complete: false };
    const x = partitions.get(a.name)!;
    for (const e of usable) {
      if (e === a || e.distinct > x.distinct || !refines(x, e)) continue;
      holds.add(`${a.name}>${e.name}`);
      report([a.name], x, e);
    }
  }

  // Level 2: AB → E, minimal: neither A → E nor B → E, and the pair is not one column in disguise (A → B).
  const scratch = { head: new Int32Array(Math.max(0, ...usable.map((c) => c.distinct))).fill(-1), next: new Int32Array(rowCount) };
  for (let i = 0; i < usable.length; i++) {
    for (let j = i + 1; j < usable.length; j++) {
      if (overBudget()) return { dependencies: found, complete: false };
      const [a, b] = [usable[i], usable[j]];
      if (holds.has(`${a.name}>${b.name}`) || holds.has(`${b.name}>${a.name}`)) continue;
      if (a.distinct * b.distinct < minDistinct) continue;
      const targets = usable.filter((e) => e !== a && e !== b && !holds.has(`${a.name}>${e.name}`) && !holds.has(`${b.name}>${e.name}`));
      if (!targets.length) continue;
      // Split the smaller partition (fewer rows in classes) by the other column.
      const [left, right] = partitions.get(a.name)!.rows.length <= partitions.get(b.name)!.rows.length ? [a, b] : [b, a];
      const x = productWith(partitions.get(left.name)!, right, rowCount, scratch);
      if (!supported(x.distinct)) continue;
      for (const e of targets) if (e.distinct <= x.distinct && refines(x, e)) report([a.name, b.name], x, e);
    }
  }
  return { dependencies: found, complete: true };
}

export interface DependencyGroup {
  lhs: string[];
  /** Columns the left-hand side determines, after removing those implied through another one. */
  dependents: string[];
  /** Columns that determine each other with the (single-column) left-hand side. */
  equivalents: string[];
  lhsDistinct: number;
}

/**
 * One group per left-hand side, reduced so each dependency is reported once: columns that determine
 * each other (A ↔ B) are reported under the first, and A → C is dropped when A → B → C says it already.
 */
export function groupDependencies(dependencies: Dependency[], columnOrder: string[]): DependencyGroup[] {
  const single = new Set(dependencies.filter((d) => d.lhs.length === 1).map((d) => `${d.lhs[0]}>${d.rhs}`));
  const determines = (a: string, e: string) => single.has(`${a}>${e}`);
  const equivalent = (a: string, b: string) => a === b || (determines(a, b) && determines(b, a));
  const rank = (c: string) => columnOrder.indexOf(c);
  // The representative of a column's equivalence class: its first column in table order.
  const rep = (a: string) => columnOrder.filter((c) => equivalent(a, c)).sort((x, y) => rank(x) - rank(y))[0] ?? a;

  const groups = new Map<string, DependencyGroup>();
  for (const d of dependencies) {
    // A column that determines the same as an earlier one (A ↔ B) is reported under that one, alone and in pairs.
    if (d.lhs.some((c) => rep(c) !== c)) continue;
    const key = d.lhs.join(',');
    const group = groups.get(key) ?? { lhs: d.lhs, dependents: [], equivalents: [], lhsDistinct: d.lhsDistinct };
    groups.set(key, group);
    if (d.lhs.length === 1 && equivalent(d.lhs[0], d.rhs)) group.equivalents.push(d.rhs);
    else group.dependents.push(d.rhs);
  }
  for (const group of groups.values()) {
    // A → B and B → C imply A → C: keep the shortest chain (B is not equivalent to A here).
    const via = [...group.dependents, ...group.equivalents];
    group.dependents = group.dependents.filter((e) => !via.some((z) => z !== e && !equivalent(z, e) && !group.lhs.includes(z) && determines(z, e) && !group.equivalents.includes(z)));
    group.dependents.sort((x, y) => rank(x) - rank(y));
    group.equivalents.sort((x, y) => rank(x) - rank(y));
  }
  return [...groups.values()].filter((g) => g.dependents.length || g.equivalents.length);
}
