import { transactionControl } from '../../lint/apply.js';
import { isDdl } from '../../migrate/statement.js';
import type { Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import { clauseText } from '../../sql/rewrite.js';
import { finding, type AnyNode, type MigrationRule, type MigrationRuleContext } from '../types.js';
import { existingTable, qualified } from './util.js';

/** No WHERE, or only `col IS NULL` tests: the typical backfill that touches every row. */
function touchesWholeTable(where: AnyNode | undefined): boolean {
  if (!where) return true;
  if (where.NullTest) return where.NullTest.nulltesttype === 'IS_NULL';
  if (where.BoolExpr?.boolop === 'AND_EXPR' || where.BoolExpr?.boolop === 'OR_EXPR') return where.BoolExpr.args.every(touchesWholeTable);
  return false;
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
    if (!ctx.tx.inTransaction || !touchesWholeTable(ctx.node.whereClause)) return [];
    const table = await existingTable(ctx, ctx.node.relation);
    if (!table || !ddlInSameTransaction(ctx)) return [];
    const verb = ctx.stmt.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    const key = table.constraints.find((c) => c.type === 'primary key')?.columns[0] ?? 'id';
    return [
      finding(this, {
        severity: ctx.sized(table, this.severity),
        message: `${verb} of every row of ${qualified(table)} in the same transaction as schema changes`,
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
  const inBatch = `${k} >= next_key AND ${k} <= batch_end${where ? ` AND (${where})` : ''}`;
  const action =
    ctx.stmt.kind === 'UpdateStmt' ? `UPDATE ${t} SET ${clauseText(ctx.stmt.text, 'SET', ['FROM', 'WHERE', 'RETURNING'])} WHERE ${inBatch}` : `DELETE FROM ${t} WHERE ${inBatch}`;
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
