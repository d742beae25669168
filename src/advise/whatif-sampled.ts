// What HypoPG cannot cost well, costed on a sample: HypoPG makes no GIN (or GiST) hypothetical indexes,
// and a hypothetical expression index has no statistics of its expression, so the planner guesses that
// 0.5% of the rows match `lower(email) = $1` and prices the index accordingly. Those candidates are also
// built for real on a sampled copy of their tables in embedded PGlite (ANALYZE gives the expression its
// statistics there), and their effect is carried over to the server as a ratio.
//
// For a query and a configuration, the planner on the server takes the cheaper of two ways: the plan
// HypoPG finds for the configuration at the server's size, or the plan the sampled candidates give,
// estimated as the server's cost without new indexes times how much they lower the cost on the sample
// (sample cost with them / sample cost without). The ratio carries over for what scales with the table
// (a trigram search, a containment); for a point lookup it errs high by at most the sample's fraction,
// which still beats the 0.5% guess. A GIN size is the sample's index size scaled by rows over sampled rows.
import type { Catalog } from '../catalog/types.js';
import { isFatalEngineError, toEngineError, type Engine } from '../engine/types.js';
import { sampleIntoPglite, type SampledTable } from './sample.js';
import type { CandidateIndex, ExistingIndex, WorkloadQuery } from './types.js';
import { RealWhatIf, type Prepared, type WhatIf, type WhatIfPlan } from './whatif.js';

export interface SampleSource {
  live: Engine;
  catalog(): Promise<Catalog>;
  /** Every table read by a query that reads one of `tables` (schema.name): the sample needs all tables of a query it plans. */
  tablesAlongside(tables: string[]): string[];
  maxRows?: number;
  progress?: (message: string) => void;
}

/** Candidates the sample costs: GIN ones (HypoPG cannot make them) and those with expression keys (HypoPG has no statistics for them). */
export function needsSample(c: CandidateIndex): boolean {
  return c.method === 'gin' || c.keys.some((k) => !k.column);
}

export class SampleAssistedWhatIf implements WhatIf {
  readonly costing = 'hypopg' as const;
  private copy?: Engine;
  private sample?: RealWhatIf;
  private sampled: SampledTable[] = [];
  /** Candidates built on the sample. */
  private sampledIds = new Set<string>();
  /** Cost of each query with no new index, on the server and on the sample, for the sampled estimate (planned once). */
  private base = new Map<string, WhatIfPlan>();
  private sampleBase = new Map<string, number>();
  /** Why the sample could not be made, when it could not. */
  private failed?: string;

  constructor(
    private readonly hypo: WhatIf,
    private readonly source: SampleSource,
  ) {}

  get canHide(): boolean {
    return this.hypo.canHide;
  }

  get plans(): number {
    return this.hypo.plans + (this.sample?.plans ?? 0);
  }

  /** Tables sampled for GIN and expression candidates, for the report. */
  get sampledTables(): SampledTable[] {
    return this.sampled;
  }

  async prepare(candidates: CandidateIndex[]): Promise<Prepared> {
    const sampled = candidates.filter(needsSample);
    // GIN candidates exist on the sample only; expression ones on both (HypoPG gives the plan at full size).
    const out = await this.hypo.prepare(candidates.filter((c) => c.method !== 'gin'));
    if (!sampled.length) return out;
    if (!this.sample && this.failed === undefined) {
      const own = [...new Set(sampled.map((c) => `${c.schema}.${c.table}`))];
      const tables = [...new Set([...own, ...this.source.tablesAlongside(own)])];
      this.source.progress?.(`copying a sample of ${tables.length} table${tables.length === 1 ? '' : 's'} into embedded PGlite for GIN and expression candidates`);
      try {
        const made = await sampleIntoPglite(this.source.live, await this.source.catalog(), tables, { maxRows: this.source.maxRows ?? 100_000 });
        this.copy = made.engine;
        this.sampled = made.sampled;
        this.sample = new RealWhatIf(this.copy);
      } catch (error) {
        // The sample only sharpens what HypoPG gives: without it GIN candidates are left out, the rest go on
        // (a lost connection to the live database shows at its next query).
        this.failed = toEngineError(error).message;
      }
    }
    if (!this.sample) {
      for (const c of sampled) if (c.method === 'gin') out.refused.set(c.id, `HypoPG cannot make GIN indexes, and the sample copy failed: ${this.failed}`);
      return out;
    }
    const built = await this.sample.prepare(sampled);
    for (const c of sampled) {
      const size = built.sizes.get(c.id);
      if (size === undefined) {
        if (c.method === 'gin') out.refused.set(c.id, built.refused.get(c.id) ?? 'not built on the sample');
        continue;
      }
      this.sampledIds.add(c.id);
      if (c.method !== 'gin') continue;
      const fraction = this.sampled.find((t) => t.schema === c.schema && t.name === c.table)?.fraction ?? 1;
      out.sizes.set(c.id, Math.round(size / fraction));
    }
    return out;
  }

  candidateOf(planIndexName: string): string | undefined {
    return this.hypo.candidateOf(planIndexName) ?? this.sample?.candidateOf(planIndexName);
  }

  async plan(query: WorkloadQuery, add: CandidateIndex[], hide: ExistingIndex[]): Promise<WhatIfPlan> {
    const onSample = add.filter((c) => this.sampledIds.has(c.id));
    const withHypo = await this.hypo.plan(query, add.filter((c) => c.method !== 'gin'), hide);
    if (!onSample.length || !this.sample) return withHypo;
    // The server's cost with no new index (existing ones hidden as asked), and the sample's, each planned once.
    const key = `${query.id}#${hide.map((h) => `${h.schema}.${h.name}`).sort().join(',')}`;
    const base = this.base.get(key) ?? (await this.hypo.plan(query, [], hide));
    this.base.set(key, base);
    let sampleBase = this.sampleBase.get(key);
    if (sampleBase === undefined) {
      try {
        sampleBase = (await this.sample.plan(query, [], hide)).cost;
      } catch (error) {
        if (isFatalEngineError(error)) throw error;
        sampleBase = 0; // not plannable on the copy: HypoPG's cost stands
      }
      this.sampleBase.set(key, sampleBase);
    }
    if (sampleBase === 0) return withHypo;
    let withSampled: WhatIfPlan;
    try {
      withSampled = await this.sample.plan(query, onSample, hide);
    } catch (error) {
      // A query the copy cannot plan (it holds tables only: no views or functions) keeps HypoPG's cost.
      if (isFatalEngineError(error)) throw error;
      return withHypo;
    }
    const estimated = sampleBase > 0 ? base.cost * (withSampled.cost / sampleBase) : base.cost;
    return estimated < withHypo.cost ? { cost: estimated, rows: base.rows, indexes: withSampled.indexes } : withHypo;
  }

  async close(): Promise<void> {
    await this.hypo.close();
    await this.copy?.close();
  }
}
