import type { Fix } from '../../types.js';
import { finding, type AnyNode, type MigrationRule, type MigrationRuleContext } from '../types.js';
import { statementSource } from './columns-util.js';
import { alterCommands, names, qualified } from './util.js';

/** `json` or `pg_catalog.json` (arrays too); a user type named json in another schema is not this. */
function isJson(typeName: AnyNode | undefined): boolean {
  const parts = names(typeName?.names);
  return parts.at(-1) === 'json' && (parts.length === 1 || parts[0] === 'pg_catalog');
}

export const preferJsonb: MigrationRule = {
  id: 'prefer-jsonb',
  area: 'migration',
  severity: 'info',
  summary: 'A `json` column stores text that is re-parsed on every access and has no equality operator (no DISTINCT, GROUP BY, UNIQUE) and no GIN index; `jsonb` has all three.',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  alterSubtypes: ['AT_AddColumn', 'AT_AlterColumnType'],
  check(ctx) {
    // Any table, new or not: the column type is a design choice, not a lock risk.
    const defs: AnyNode[] =
      ctx.stmt.kind === 'CreateStmt'
        ? (ctx.node.tableElts ?? []).map((e: AnyNode) => e.ColumnDef).filter(Boolean)
        : alterCommands(ctx).filter((c) => ['AT_AddColumn', 'AT_AlterColumnType'].includes(c.subtype) && c.def?.ColumnDef).map((c) => ({ ...c.def.ColumnDef, colname: c.def.ColumnDef.colname ?? c.name }));
    const json = defs.filter((d) => isJson(d.typeName));
    // Synchronous when there is nothing to report: this rule sees every CREATE TABLE.
    if (json.length === 0) return [];
    return (async () => {
      // A table being created has no catalog entry yet: name it as written.
      const table = ctx.stmt.kind === 'AlterTableStmt' ? await ctx.before.table(ctx.node.relation) : undefined;
      const tableName = table ? qualified(table) : [ctx.node.relation.schemaname, ctx.node.relation.relname].filter(Boolean).join('.');
      const fix = jsonbFix(ctx);
      return json.map((def) =>
        finding(this, {
          message: `Column ${tableName}.${def.colname} is json: prefer jsonb (binary, indexable with GIN, has equality)`,
          object: `${tableName}.${def.colname}`,
          location: ctx.locate(def.location),
          hint: 'Use jsonb unless the exact input text (key order, duplicate keys, whitespace) must be kept.',
          fix,
        }),
      );
    })();
  },
};

/** The statement with every json column type written as jsonb. */
function jsonbFix(ctx: MigrationRuleContext): Fix | undefined {
  const src = statementSource(ctx);
  const node = src.node;
  const typeNames: AnyNode[] =
    ctx.stmt.kind === 'CreateStmt'
      ? (node.tableElts ?? []).map((e: AnyNode) => e.ColumnDef?.typeName)
      : (node.cmds ?? []).map((c: AnyNode) => c.AlterTableCmd?.def?.ColumnDef?.typeName);
  // The `json` token of each json type name (the last part of `pg_catalog.json`), replaced from the end.
  const at = typeNames
    .filter(isJson)
    .map((t) => src.tokens.find((k) => k.start >= t.location && /^"?json"?$/i.test(k.text)))
    .filter((k) => k !== undefined)
    .sort((a, b) => b.start - a.start);
  if (at.length === 0) return undefined;
  let bytes = src.bytes;
  for (const k of at) bytes = Buffer.concat([bytes.subarray(0, k.start), Buffer.from('jsonb'), bytes.subarray(k.end)]);
  return { description: 'Use jsonb', sql: `${bytes.toString().replace(/;\s*$/, '')};` };
}
