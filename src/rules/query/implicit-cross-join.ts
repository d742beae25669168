import { nameParts } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type AnyNode, type QueryRule, type QueryRuleContext } from '../types.js';
import { analyze, itemTable, qualifiedName, rangeVarName, type FromItem, type QueryBlock } from './scope.js';

export const implicitCrossJoin: QueryRule = {
  id: 'implicit-cross-join',
  area: 'query',
  severity: 'warning',
  summary: 'Tables listed with commas in FROM and no WHERE condition linking them form a cross join: every row of one pairs with every row of the other.',
  catalogUse:
    'Works from the SQL alone with qualified columns (a.x = b.y links a and b; so do conditions inside sub-selects and LATERAL references). An unqualified column is placed with the catalog; without one, a condition on two or more columns that cannot be placed is assumed to link what it might. Functions and sub-selects left unlinked (generate_series, a one-row parameters CTE) are not reported, nor is an explicit CROSS JOIN.',
  check(ctx) {
    const out: Finding[] = [];
    for (const block of analyze(ctx.stmt.node).blocks) {
      if (block.kind === 'insert' || block.entries.length < 2) continue;
      // UPDATE/DELETE without WHERE: update-without-where already says every row is paired.
      if (block.kind !== 'select' && !block.node.whereClause) continue;
      const components = linkedComponents(ctx, block);
      const withTables = components.filter((c) => c.some((e) => block.entries[e].some((i) => i.kind === 'table')));
      if (withTables.length < 2) continue;
      const first = describe(ctx, block, withTables[0]);
      for (const component of withTables.slice(1)) {
        const item = block.entries[component[0]].find((i) => i.kind === 'table') ?? block.entries[component[0]][0];
        const table = itemTable(ctx, item);
        out.push(
          finding(this, {
            message: `${describe(ctx, block, component)} ${component.length > 1 ? 'are' : 'is'} comma-joined to ${first} with no condition linking them: every row pairs with every row (a cross join)`,
            object: table ? qualifiedName(table) : undefined,
            location: ctx.locate(item.location),
            hint: 'Write the join as JOIN … ON with the condition that relates the rows; if the product is intended, say so with CROSS JOIN.',
          }),
        );
      }
    }
    return out;
  },
};

function describe(ctx: QueryRuleContext, block: QueryBlock, component: number[]): string {
  const names = component.flatMap((e) =>
    block.entries[e].map((i) => {
      const table = itemTable(ctx, i);
      const base = table ? qualifiedName(table) : i.rangeVar ? rangeVarName(i.rangeVar) : (i.name ?? 'a sub-select');
      return i.name && i.rangeVar && i.name !== i.rangeVar.relname ? `${base} (${i.name})` : base;
    }),
  );
  return names.join(', ');
}

/** Groups of FROM entries (by index) that WHERE conditions and LATERAL references link together. */
function linkedComponents(ctx: QueryRuleContext, block: QueryBlock): number[][] {
  const parent = block.entries.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  const byName = new Map<string, number>();
  block.entries.forEach((items, e) => items.forEach((i) => i.name && !byName.has(i.name) && byName.set(i.name, e)));

  const link = (refs: Array<{ names: string[]; nested: boolean }>, own?: number) => {
    const sets: number[][] = [];
    for (const ref of refs) {
      if (ref.names.length >= 2) {
        const e = byName.get(ref.names[ref.names.length - 2]);
        if (e !== undefined) sets.push([e]);
      } else if (!ref.nested) sets.push(candidates(ctx, block, ref.names[0]));
    }
    const involved = [...new Set([...(own === undefined ? [] : [own]), ...sets.flat()])];
    // One column alone relates nothing: a condition links relations only through two or more references.
    if (own === undefined && sets.length < 2) return;
    for (const e of involved.slice(1)) union(involved[0], e);
  };

  for (const conjunct of conjuncts(block.node.whereClause)) link(references(conjunct));
  // LATERAL functions and sub-selects that read an earlier relation are linked to it.
  block.entries.forEach((items, e) => {
    for (const item of items) if (item.kind === 'function' || item.kind === 'subquery') link(references(item.node).filter((r) => r.names.length >= 2), e);
  });

  const groups = new Map<number, number[]>();
  block.entries.forEach((_, e) => groups.set(find(e), [...(groups.get(find(e)) ?? []), e]));
  return [...groups.values()];
}

/** Entries that may hold an unqualified column: those known to have it, plus those whose columns nobody knows. */
function candidates(ctx: QueryRuleContext, block: QueryBlock, column: string): number[] {
  const known: number[] = [];
  const unknown: number[] = [];
  block.entries.forEach((items, e) => {
    for (const item of items) {
      const has = hasColumn(ctx, item, column);
      if (has === true) known.push(e);
      else if (has === undefined) unknown.push(e);
    }
  });
  return [...new Set([...known, ...unknown])];
}

function hasColumn(ctx: QueryRuleContext, item: FromItem, column: string): boolean | undefined {
  if (item.columns) return item.columns.includes(column);
  const table = itemTable(ctx, item);
  return table ? table.columns.some((c) => c.name === column) : undefined;
}

function conjuncts(where: AnyNode | undefined): AnyNode[] {
  if (!where) return [];
  if (where.BoolExpr?.boolop === 'AND_EXPR') return (where.BoolExpr.args as AnyNode[]).flatMap(conjuncts);
  return [where];
}

/** Column references in an expression, sub-selects included (`nested`: inside one, where only qualified names can reach out). */
function references(expr: unknown): Array<{ names: string[]; nested: boolean }> {
  const out: Array<{ names: string[]; nested: boolean }> = [];
  const visit = (value: unknown, nested: boolean) => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((v) => visit(v, nested));
    for (const [key, v] of Object.entries(value as AnyNode)) {
      if (key === 'ColumnRef' && v && typeof v === 'object') {
        const names = nameParts((v as AnyNode).fields);
        if (names.length) out.push({ names, nested });
      } else visit(v, nested || key === 'subselect' || key === 'SelectStmt');
    }
  };
  visit(expr, false);
  return out;
}
