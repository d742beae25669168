import { transactionControl } from '../../lint/apply.js';
import { isDdl } from '../../migrate/statement.js';
import type { Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import { clauseText } from '../../sql/rewrite.js';
import { finding, type AnyNode, type MigrationRule, type MigrationRuleContext } from '../types.js';
import { existingTable, qualified } from './util.js';

/**
 * No WHERE, only `col IS NULL` tests, or (UPDATE … FROM) only join conditions to the FROM tables: the
 * typical backfill that reads every row. `joined` are the FROM items' names and aliases.
 */
function touchesWholeTable(where: AnyNode | undefined, joined: ReadonlySet<string> = new Set()): boolean {
  if (!where) return true;
  if (where.NullTest) return where.NullTest.nulltesttype === 'IS_NULL';
  if (where.BoolExpr?.boolop === 'AND_EXPR' || where.BoolExpr?.boolop === 'OR_EXPR') return where.BoolExpr.args.every((a: AnyNode) => touchesWholeTable(a, joined));
  const eq = where.A_Expr;
  if (joined.size && eq?.kind === 'AEXPR_OP' && eq.name?.[0]?.String?.sval === '=') {
    // `target.col = other.col` (or an expression of the target's columns): a join, not a filter. A
    // constant on either side (`u.active = true`) filters.
    const [l, r] = [eq.lexpr, eq.rexpr].map((side) => columnsOf(side, joined));
    return (l.joined && !l.target && r.target && !r.joined) || (r.joined && !r.target && l.target && !l.joined);
  }
  return false;
}

/** Which columns an expression reads: of a FROM item of the UPDATE (`names`), or others (the target's). */
function columnsOf(node: unknown, names: ReadonlySet<string>, out = { joined: false, target: false }): { joined: boolean; target: boolean } {
  if (!node || typeof node !== 'object') return out;
  const ref = (node as AnyNode).ColumnRef;
  if (ref) {
    const fields = (ref.fields ?? []).map((f: AnyNode) => f.String?.sval);
    if (fields.length > 1 && names.has(fields[fields.length - 2])) out.joined = true;
    else out.target = true;
    return out;
  }
  for (const v of Object.values(node as object)) columnsOf(v, names, out);
  return out;
}

/** Names and aliases of an UPDATE's FROM tables. */
function fromNames(from: AnyNode[] | undefined): Set<string> {
  const names = new Set<string>();
  for (const item of from ?? []) {
    const rv = item.RangeVar;
    if (rv?.relname) names.add(rv.relname);
    if (rv?.alias?.aliasname) names.add(rv.alias.aliasname);
  }
  return names;
}

/** DDL earlier in the transaction, or later in the file before the transaction ends. */
function ddlInSameTransaction(ctx: MigrationRuleContext): boolean {
  if (ctx.tx.ddlInTransaction) return true;
  for (const s of ctx.file.statements.slice(ctx.file.statements.indexOf(ctx.stmt) + 1)) {
    if (transactionControl(s) === 'end') return false;
    if (isDdl(s) && s.kind !== 'TransactionStmt') return true;
  }
  return false;
}

export const backfillInTransaction: MigrationRule = {
  id: 'backfill-in-transaction',
  area: 'migration',
  severity: 'warning',
  summary:
    'UPDATE or DELETE of a whole existing table in the same transaction as DDL holds the DDL\'s locks and every row lock until the end: one long blocking transaction, a burst of WAL, and bloat.',
  kinds: ['UpdateStmt', 'DeleteStmt'],
  onlyExistingTables: true,
  async check(ctx) {
    if (!ctx.tx.inTransaction || !touchesWholeTable(ctx.node.whereClause, fromNames(ctx.node.fromClause))) return [];
    const table = await existingTable(ctx, ctx.node.relation);
    if (!table || !ddlInSameTransaction(ctx)) return [];
    const verb = ctx.stmt.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    const key = table.constraints.find((c) => c.type === 'primary key')?.columns[0] ?? 'id';
    // `WHERE col IS NULL` backfills are not all rows, but every row is read to find them.
    const where = ctx.node.whereClause ? clauseText(ctx.stmt.text, 'WHERE', ['RETURNING']) : undefined;
    const rows = where ? `the rows of ${qualified(table)} WHERE ${where.length > 60 ? `${where.slice(0, 57)}…` : where} (a scan of every row)` : `every row of ${qualified(table)}`;
    return [
      finding(this, {
        severity: ctx.sized(table, this.severity),
        message: `${verb} of ${rows} in the same transaction as schema changes`,
        object: qualified(table),
        location: ctx.locate(),
        hint: 'Backfill in its own migration, outside the DDL transaction, in batches that each commit (keyset pagination on the primary key).',
        fix: {
          description: 'Batched backfill, 10,000 rows per committed batch, walking the primary key (PG 11+ procedure)',
          sql: batchedBackfill(ctx, table, key),
        },
      }),
    ];
  },
};

function batchedBackfill(ctx: MigrationRuleContext, table: Table, key: string): string {
  const t = quoteQualified(table.schema, table.name);
  const k = quoteIdent(key);
  const keyType = table.columns.find((c) => c.name === key)?.type ?? 'bigint';
  const where = clauseText(ctx.stmt.text, 'WHERE', ['RETURNING']);
  // With FROM tables the key may be ambiguous: qualify it by the target's alias or name.
  const alias = ctx.node.relation?.alias?.aliasname as string | undefined;
  const from = ctx.node.fromClause?.length ? clauseText(ctx.stmt.text, 'FROM', ['WHERE', 'RETURNING']) : undefined;
  const keyRef = from ? `${alias ? quoteIdent(alias) : t}.${k}` : k;
  const inBatch = `${keyRef} >= next_key AND ${keyRef} <= batch_end${where ? ` AND (${where})` : ''}`;
  const action =
    ctx.stmt.kind === 'UpdateStmt'
      ? `UPDATE ${t}${alias ? ` ${quoteIdent(alias)}` : ''} SET ${clauseText(ctx.stmt.text, 'SET', ['FROM', 'WHERE', 'RETURNING'])}${from ? ` FROM ${from}` : ''} WHERE ${inBatch}`
      : `DELETE FROM ${t} WHERE ${inBatch}`;
  return `-- pgarch:no-transaction
CREATE PROCEDURE pgarch_backfill() LANGUAGE plpgsql AS $$
DECLARE next_key ${keyType}; batch_end ${keyType};
BEGIN
  SELECT min(${k}) INTO next_key FROM ${t};
  WHILE next_key IS NOT NULL LOOP
    SELECT max(${k}) INTO batch_end FROM (SELECT ${k} FROM ${t} WHERE ${k} >= next_key ORDER BY ${k} LIMIT 10000) batch;
    ${action};
    COMMIT; -- each batch commits: short row locks, WAL spread out, vacuum can keep up
    SELECT min(${k}) INTO next_key FROM ${t} WHERE ${k} > batch_end;
  END LOOP;
END $$;
CALL pgarch_backfill();
DROP PROCEDURE pgarch_backfill();`;
}
