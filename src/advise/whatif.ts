// What-if costing: the planner's cost of a query as if some candidate indexes existed and some
// existing ones did not. One interface, two ways to answer it:
//  * HypoPG (a server with the extension): hypothetical indexes that live in this session only and
//    that only EXPLAIN sees — nothing is built, nothing is written, the database stays read-only.
//  * Real indexes on a copy (embedded PGlite holding the schema and its data, or a sample of a live
//    database): every candidate is built once, and a configuration is switched on by marking the
//    other candidates not valid for planning (pg_index.indisvalid), which the planner skips. The copy
//    is pgarch's own scratch, so writing its catalog harms nothing.
import type { Engine, Queryable } from '../engine/types.js';
import { toEngineError } from '../engine/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { CandidateIndex, ExistingIndex, WorkloadQuery } from './types.js';

export interface WhatIfPlan {
  /** Total cost of the plan's top node, for one call. */
  cost: number;
  /** Rows the statement's scan produces (for writes: rows written per call). */
  rows: number;
  /** Index names the plan uses (candidates by their `nameOf`). */
  indexes: string[];
}

export interface Prepared {
  /** Bytes per candidate id, for those PostgreSQL accepted. */
  sizes: Map<string, number>;
  /** Build time measured on the copy (ms), for real indexes. */
  buildMs: Map<string, number>;
  /** Candidates PostgreSQL refused, with its reason (an expression that is not IMMUTABLE, a missing operator class). */
  refused: Map<string, string>;
}

export interface WhatIf {
  readonly costing: 'hypopg' | 'real';
  /** Whether existing indexes can be hidden (to cost dropping them). */
  readonly canHide: boolean;
  prepare(candidates: CandidateIndex[]): Promise<Prepared>;
  /** Plan one query with exactly `add` of the candidates present and `hide` (existing index names) absent. */
  plan(query: WorkloadQuery, add: CandidateIndex[], hide: ExistingIndex[]): Promise<WhatIfPlan>;
  /** The candidate (its id) an index name in a plan stands for; undefined for existing indexes. */
  candidateOf(planIndexName: string): string | undefined;
  /** Plans made so far. */
  readonly plans: number;
  close(): Promise<void>;
}

/** CREATE INDEX text of a candidate (no name: PostgreSQL or HypoPG picks one). */
export function createIndexSql(c: CandidateIndex, name?: string, concurrently = false): string {
  const keys = c.keys.map((k) => `${k.sql}${k.opclass ? ` ${k.opclass}` : ''}${k.desc ? ' DESC' : ''}`).join(', ');
  return `CREATE INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${name ? `${quoteIdent(name)} ` : ''}ON ${quoteIdent(c.schema)}.${quoteIdent(c.table)}${c.method === 'btree' ? '' : ` USING ${c.method}`} (${keys})${
    c.include.length ? ` INCLUDE (${c.include.join(', ')})` : ''
  }${c.where ? ` WHERE ${c.where}` : ''}`;
}

async function explain(db: Queryable, query: WorkloadQuery): Promise<{ plan: PlanNode }> {
  const sql = `EXPLAIN (FORMAT JSON) ${query.sql}`;
  const { rows } = query.params?.length ? await db.query<Record<string, unknown>>(sql, query.params) : await db.query<Record<string, unknown>>(sql);
  let doc = rows[0]?.['QUERY PLAN'] as unknown;
  if (typeof doc === 'string') doc = JSON.parse(doc);
  return { plan: (doc as Array<{ Plan: PlanNode }>)[0].Plan };
}

interface PlanNode {
  'Node Type': string;
  'Total Cost': number;
  'Plan Rows': number;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function summarise(plan: PlanNode): WhatIfPlan {
  const indexes = new Set<string>();
  const visit = (n: PlanNode) => {
    if (n['Index Name']) indexes.add(n['Index Name']);
    n.Plans?.forEach(visit);
  };
  visit(plan);
  // A write's own node (ModifyTable) estimates nothing useful; the rows it writes are its input's.
  const rows = plan['Node Type'] === 'ModifyTable' ? (plan.Plans?.[0]?.['Plan Rows'] ?? 1) : plan['Plan Rows'];
  return { cost: plan['Total Cost'], rows, indexes: [...indexes] };
}

/** Hypothetical indexes through HypoPG, in the session of `db` only. */
export class HypoWhatIf implements WhatIf {
  readonly costing = 'hypopg' as const;
  plans = 0;
  /** Every name HypoPG gave a candidate (each creation gets a new one) → candidate id. */
  private candidates = new Map<string, string>();
  private live = new Map<string, number>();
  private hidden = new Set<string>();

  private constructor(
    private readonly db: Queryable,
    readonly canHide: boolean,
  ) {}

  static async open(db: Queryable): Promise<HypoWhatIf> {
    const { rows } = await db.query<{ n: string }>(`select count(*)::text as n from pg_proc where proname = 'hypopg_hide_index'`);
    await db.query('select hypopg_reset()');
    return new HypoWhatIf(db, rows[0]?.n !== '0');
  }

  async prepare(candidates: CandidateIndex[]): Promise<Prepared> {
    const out: Prepared = { sizes: new Map(), buildMs: new Map(), refused: new Map() };
    for (const c of candidates) {
      try {
        const { rows } = await this.db.query<{ indexrelid: number }>('select indexrelid from hypopg_create_index($1)', [createIndexSql(c)]);
        const oid = rows[0]?.indexrelid;
        if (oid === undefined) throw new Error('HypoPG made no index');
        const size = await this.db.query<{ size: string }>('select hypopg_relation_size($1)::text as size', [oid]);
        out.sizes.set(c.id, Number(size.rows[0]?.size ?? 0));
        await this.db.query('select hypopg_drop_index($1)', [oid]);
      } catch (error) {
        out.refused.set(c.id, toEngineError(error).message);
      }
    }
    return out;
  }

  candidateOf(planIndexName: string): string | undefined {
    return this.candidates.get(planIndexName);
  }

  async plan(query: WorkloadQuery, add: CandidateIndex[], hide: ExistingIndex[]): Promise<WhatIfPlan> {
    const wanted = new Set(add.map((c) => c.id));
    for (const [id, oid] of this.live) {
      if (wanted.has(id)) continue;
      await this.db.query('select hypopg_drop_index($1)', [oid]);
      this.live.delete(id);
    }
    for (const c of add) {
      if (this.live.has(c.id)) continue;
      const { rows } = await this.db.query<{ indexrelid: number; indexname: string }>('select indexrelid, indexname from hypopg_create_index($1)', [createIndexSql(c)]);
      this.live.set(c.id, rows[0].indexrelid);
      this.candidates.set(rows[0].indexname, c.id);
    }
    if (this.canHide) {
      const hideNames = new Set(hide.map((h) => `${quoteIdent(h.schema)}.${quoteIdent(h.name)}`));
      for (const name of [...this.hidden]) if (!hideNames.has(name)) {
        await this.db.query('select hypopg_unhide_index($1::regclass)', [name]);
        this.hidden.delete(name);
      }
      for (const name of hideNames) if (!this.hidden.has(name)) {
        await this.db.query('select hypopg_hide_index($1::regclass)', [name]);
        this.hidden.add(name);
      }
    }
    this.plans++;
    return summarise((await explain(this.db, query)).plan);
  }

  async close(): Promise<void> {
    await this.db.query('select hypopg_reset()').catch(() => {});
  }
}

/** Real indexes built once on pgarch's own copy; configurations switched through pg_index.indisvalid. */
export class RealWhatIf implements WhatIf {
  readonly costing = 'real' as const;
  readonly canHide = true;
  plans = 0;
  private built = new Map<string, { oid: number; name: string }>();
  private existing = new Map<string, number>();
  private current = '';
  private counter = 0;

  constructor(private readonly engine: Engine) {}

  async prepare(candidates: CandidateIndex[]): Promise<Prepared> {
    const out: Prepared = { sizes: new Map(), buildMs: new Map(), refused: new Map() };
    for (const c of candidates) {
      const name = `pgarch_candidate_${++this.counter}`;
      const started = performance.now();
      try {
        await this.engine.exec(createIndexSql(c, name));
      } catch (error) {
        out.refused.set(c.id, toEngineError(error).message);
        continue;
      }
      out.buildMs.set(c.id, performance.now() - started);
      const { rows } = await this.engine.query<{ oid: number; size: string }>(
        'select c.oid::int as oid, pg_relation_size(c.oid)::text as size from pg_class c where c.relname = $1 and c.relnamespace = $2::regnamespace',
        [name, c.schema],
      );
      this.built.set(c.id, { oid: rows[0].oid, name });
      out.sizes.set(c.id, Number(rows[0].size));
    }
    // An expression index brings statistics of its expression, gathered by ANALYZE: without them the
    // planner guesses 0.5% of the rows match (as it would in production until the next ANALYZE).
    for (const table of new Set(candidates.filter((c) => out.sizes.has(c.id) && c.keys.some((k) => !k.column)).map((c) => `${quoteIdent(c.schema)}.${quoteIdent(c.table)}`))) {
      await this.engine.exec(`ANALYZE ${table}`);
    }
    // Every candidate starts switched off (those built just now are valid whatever the last configuration was).
    this.current = '';
    await this.switchTo(new Set(), []);
    return out;
  }

  candidateOf(planIndexName: string): string | undefined {
    for (const [id, b] of this.built) if (b.name === planIndexName) return id;
    return undefined;
  }

  async plan(query: WorkloadQuery, add: CandidateIndex[], hide: ExistingIndex[]): Promise<WhatIfPlan> {
    await this.switchTo(new Set(add.map((c) => c.id)), hide);
    this.plans++;
    return summarise((await explain(this.engine, query)).plan);
  }

  private async switchTo(on: Set<string>, hide: ExistingIndex[]): Promise<void> {
    const hiddenOids: number[] = [];
    for (const h of hide) hiddenOids.push(await this.existingOid(h));
    const key = `${[...on].sort().join('|')}#${hiddenOids.sort().join(',')}`;
    if (key === this.current) return;
    const enabled = [...this.built].filter(([id]) => on.has(id)).map(([, b]) => b.oid);
    const all = [...[...this.built.values()].map((b) => b.oid), ...this.existing.values()];
    await this.engine.query('update pg_index set indisvalid = (indexrelid = any($1::oid[])) where indexrelid = any($2::oid[]) and indisvalid is distinct from (indexrelid = any($1::oid[]))', [
      [...enabled, ...[...this.existing.values()].filter((oid) => !hiddenOids.includes(oid))],
      all,
    ]);
    this.current = key;
  }

  private async existingOid(index: ExistingIndex): Promise<number> {
    const name = `${index.schema}.${index.name}`;
    let oid = this.existing.get(name);
    if (oid === undefined) {
      const { rows } = await this.engine.query<{ oid: number }>('select $1::regclass::oid::int as oid', [`${quoteIdent(index.schema)}.${quoteIdent(index.name)}`]);
      oid = rows[0].oid;
      this.existing.set(name, oid);
    }
    return oid;
  }

  async close(): Promise<void> {
    // The copy is dropped with its engine; the caller closes that.
  }
}
