// Helpers migration rules share: resolving the statement's table, and building safe rewrites.
import type { Table } from '../../catalog/types.js';
import type { AnyNode, MigrationRuleContext, TableRef } from '../types.js';

/** The table named by a RangeVar if it exists and is not new in this deployment (so it may hold data). */
export async function existingTable(ctx: MigrationRuleContext, rv: AnyNode | undefined): Promise<Table | undefined> {
  if (!rv?.relname) return undefined;
  // Created earlier in this deployment: known from the parse tree, no catalog read needed.
  if (ctx.before.isNewName(rv as { schemaname?: string; relname: string })) return undefined;
  const table = await ctx.before.table(rv as { schemaname?: string; relname: string });
  return table && !ctx.before.isNew(table) ? table : undefined;
}

/** existingTable reading only part of the table (see CatalogView.tablePart). */
export async function existingTablePart(ctx: MigrationRuleContext, rv: AnyNode | undefined, part: { columns: string[]; indexes?: boolean }): Promise<Table | undefined> {
  if (!rv?.relname) return undefined;
  if (ctx.before.isNewName(rv as { schemaname?: string; relname: string })) return undefined;
  const table = await ctx.before.tablePart(rv as { schemaname?: string; relname: string }, part);
  return table && !ctx.before.isNew(table) ? table : undefined;
}

/**
 * The same as existingTable without reading the table's details: its resolved name only. Prefer it
 * when the decision needs no columns, constraints or indexes (most lock rules).
 */
export async function existingRef(ctx: MigrationRuleContext, rv: AnyNode | undefined): Promise<TableRef | undefined> {
  if (!rv?.relname || ctx.before.isNewName(rv as { schemaname?: string; relname: string })) return undefined;
  const ref = await ctx.before.ref(rv as { schemaname?: string; relname: string });
  // IF EXISTS on a table the catalog does not know: nothing happens, nothing to report.
  if (ref?.assumed && ctx.node.missing_ok) return undefined;
  return ref && !ctx.before.isNew(ref) ? ref : undefined;
}

export const qualified = (t: TableRef) => `${t.schema}.${t.name}`;

/** ALTER TABLE subcommands of a statement, with their node. */
export function alterCommands(ctx: MigrationRuleContext): AnyNode[] {
  if (ctx.stmt.kind !== 'AlterTableStmt' || ctx.node.objtype !== 'OBJECT_TABLE') return [];
  return (ctx.node.cmds ?? []).map((c: AnyNode) => c.AlterTableCmd as AnyNode);
}

/** The statement's text with its first keyword sequence replaced, for simple rewrites. */
export function statementText(ctx: MigrationRuleContext): string {
  return ctx.stmt.text.trim().replace(/;\s*$/, '');
}

/** Names from a list of String nodes (qualified names, type names). */
export { nameParts as names } from '../../sql/quote.js';

/** Directive that tells pgarch's runner (and readers) the migration must run outside a transaction. */
export const NO_TRANSACTION = '-- CONCURRENTLY cannot run inside a transaction block:\n-- pgarch:no-transaction';

/** A table known by name only (assumed to exist, or parse-only mode): no columns, constraints or indexes. */
export function tableWithoutDetails(ref: TableRef): Table {
  return { oid: 0, schema: ref.schema, name: ref.name, kind: ref.kind, reltuples: -1, relpages: 0, relfilenode: 0, rlsEnabled: false, rlsForced: false, columns: [], constraints: [], indexes: [], triggers: [], policies: [] };
}
