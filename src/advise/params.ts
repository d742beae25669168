// Values for a workload query's `$1…`, sampled from the table data, so what-if plans are custom
// plans for typical values rather than generic plans: the column each parameter is compared with
// is read from the parse tree, and a value is drawn from that column — its median for equality, a
// recent value (98th percentile) for a lower bound, the maximum for an upper bound, so a
// `created_at >= $1` query asks for the latest data as such queries do. A parameter the tree does
// not tie to a column gets a plain value of the type PostgreSQL infers for it.
import type { Table } from '../catalog/types.js';
import type { Queryable } from '../engine/types.js';
import { analyze, columnRefs, parameterNumbers, resolveColumn, type QueryBlock, type TableLookup } from '../rules/query/scope.js';
import type { AnyNode } from '../rules/types.js';
import { quoteIdent, quoteQualified } from '../sql/quote.js';
import type { WorkloadQuery } from './types.js';

type Role = 'value' | 'lower' | 'upper';

interface ParamUse {
  table: Table;
  column: string;
  role: Role;
}

const LOWER_OPS = new Set(['>', '>=']);
const UPPER_OPS = new Set(['<', '<=']);

/** Which column (and how) each parameter of a query is compared with. */
export function parameterUses(query: WorkloadQuery, ctx: TableLookup): Map<number, ParamUse> {
  const uses = new Map<number, ParamUse>();
  const analysis = analyze(query.stmt.node as AnyNode);
  const note = (expr: unknown, column: ParamUse | undefined) => {
    if (!column) return;
    for (const n of paramNumbers(expr)) if (!uses.has(n)) uses.set(n, column);
  };
  const columnOf = (expr: AnyNode | undefined, block: QueryBlock | undefined, role: Role): ParamUse | undefined => {
    const ref = columnRefs(expr)[0];
    if (!ref) return undefined;
    const r = resolveColumn(ctx, ref, block);
    return r.kind === 'table' ? { table: r.table, column: r.column.name, role } : undefined;
  };
  for (const at of analysis.nodes) {
    if (at.type === 'A_Expr') {
      const e = at.node;
      const op = e.name?.[e.name.length - 1]?.String?.sval;
      if (e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_BETWEEN_SYM') {
        const [lo, hi] = e.rexpr?.List?.items ?? [];
        note(lo, columnOf(e.lexpr, at.block, 'lower'));
        note(hi, columnOf(e.lexpr, at.block, 'upper'));
        continue;
      }
      const leftHas = paramNumbers(e.lexpr).length > 0;
      const [param, other] = leftHas ? [e.lexpr, e.rexpr] : [e.rexpr, e.lexpr];
      // `$1 < col` bounds col from below, like `col > $1`.
      let role: Role = 'value';
      if (LOWER_OPS.has(op)) role = leftHas ? 'upper' : 'lower';
      else if (UPPER_OPS.has(op)) role = leftHas ? 'lower' : 'upper';
      note(param, columnOf(other, at.block, role));
    } else if (at.type === 'InsertStmt') {
      const table = at.node.relation ? ctx.table(at.node.relation) : undefined;
      if (!table) continue;
      const names: string[] = (at.node.cols ?? []).map((c: AnyNode) => c.ResTarget?.name);
      const columns = names.length ? names : table.columns.map((c) => c.name);
      for (const row of at.node.selectStmt?.SelectStmt?.valuesLists ?? []) {
        (row.List?.items ?? []).forEach((v: AnyNode, i: number) => columns[i] && note(v, { table, column: columns[i], role: 'value' }));
      }
    } else if (at.type === 'UpdateStmt') {
      const table = at.node.relation ? ctx.table(at.node.relation) : undefined;
      if (!table) continue;
      for (const t of at.node.targetList ?? []) if (t.ResTarget?.name) note(t.ResTarget.val, { table, column: t.ResTarget.name, role: 'value' });
    }
  }
  return uses;
}

/** The parameters of one side of a comparison, not those of a sub-select in it (they are its own comparisons'). */
function paramNumbers(expr: unknown): number[] {
  const out: number[] = [];
  const visit = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(visit);
    for (const [k, x] of Object.entries(v as AnyNode)) {
      if (k === 'ParamRef') out.push((x as AnyNode).number);
      else if (k !== 'SubLink') visit(x);
    }
  };
  visit(expr);
  return out;
}

const QUANTILE: Record<Role, number> = { value: 0.5, lower: 0.98, upper: 1 };

/** Samples column values once per column and role. */
export class ParameterSampler {
  private cache = new Map<string, Promise<string | null>>();
  private statement = 0;

  constructor(
    private readonly db: Queryable,
    private readonly ctx: TableLookup,
  ) {}

  /** Values for every `$n` of the query (1…highest), or undefined when it has none. */
  async sample(query: WorkloadQuery): Promise<Array<string | null> | undefined> {
    // Every parameter of the statement, sub-selects' included.
    const highest = Math.max(0, ...parameterNumbers(query.stmt.node));
    if (highest === 0) return undefined;
    const uses = parameterUses(query, this.ctx);
    const values: Array<string | null> = [];
    let types: string[] | undefined;
    for (let n = 1; n <= highest; n++) {
      const use = uses.get(n);
      let value = use ? await this.columnValue(use) : null;
      if (value === null) {
        types ??= await this.parameterTypes(query.sql);
        value = plainValue(types[n - 1]);
      }
      values.push(value);
    }
    return values;
  }

  private columnValue(use: ParamUse): Promise<string | null> {
    const key = `${use.table.schema}.${use.table.name}.${use.column}:${use.role}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.read(use).catch(() => null);
      this.cache.set(key, hit);
    }
    return hit;
  }

  private async read(use: ParamUse): Promise<string | null> {
    const table = quoteQualified(use.table.schema, use.table.name);
    const column = quoteIdent(use.column);
    // About 20,000 rows: a block sample of a big table, the whole of a small one (repeatable: same values every run).
    const rows = Math.max(use.table.reltuples, 1);
    const sample = rows > 40_000 ? ` tablesample system (${Math.min(100, (100 * 20_000) / rows).toFixed(4)}) repeatable (1)` : '';
    try {
      const { rows: r } = await this.db.query<{ v: string | null }>(
        `select (percentile_disc($1::float8) within group (order by ${column}))::text as v from ${table}${sample} where ${column} is not null`,
        [QUANTILE[use.role]],
      );
      if (r[0]?.v != null) return r[0].v;
    } catch {
      // a type without ordering (json, point): any value will do
    }
    const { rows: r } = await this.db.query<{ v: string | null }>(`select ${column}::text as v from ${table} where ${column} is not null limit 1`);
    return r[0]?.v ?? null;
  }

  /** The types PostgreSQL infers for the parameters (PREPARE, never executed). */
  private async parameterTypes(sql: string): Promise<string[]> {
    const name = `pgarch_advise_params_${++this.statement}`;
    try {
      await this.db.exec(`PREPARE ${name} AS ${sql}`);
      const { rows } = await this.db.query<{ types: string[] }>('select parameter_types::text[] as types from pg_prepared_statements where name = $1', [name]);
      return rows[0]?.types ?? [];
    } catch {
      return [];
    } finally {
      await this.db.exec(`DEALLOCATE ${name}`).catch(() => {});
    }
  }
}

/** A value of a type for a parameter nothing ties to a column. */
function plainValue(type: string | undefined): string | null {
  if (!type) return null;
  if (/^(smallint|integer|bigint|numeric|real|double precision)/.test(type)) return '1';
  if (/^(text|character|citext|name)/.test(type)) return 'x';
  if (/^(timestamp|date)/.test(type)) return new Date().toISOString();
  if (type === 'boolean') return 'true';
  if (type === 'uuid') return '00000000-0000-0000-0000-000000000000';
  if (/^jsonb?$/.test(type)) return '{}';
  return null;
}
