import { quoteIdent } from '../../sql/quote.js';
import { finding, type AnyNode, type MigrationRule, type MigrationRuleContext } from '../types.js';
import { addColumnCommands, batchedBackfill, columnPath, columnTypeText, constraintOf, defaultExpression, findColumn, isComputedColumn, onlineNotNull, otherConstraintsNote, sourceCommand, statementSource, tableSql } from './columns-util.js';
import { existingTable, qualified } from './util.js';

function emptiedBefore(ctx: MigrationRuleContext, table: { schema: string; name: string }): boolean {
  const names = new Set(ctx.tx.emptied.map((n) => n.toLowerCase()));
  return names.has(table.name.toLowerCase()) || names.has(`${table.schema}.${table.name}`.toLowerCase());
}

export const addColumnNotNullNoDefault: MigrationRule = {
  id: 'add-column-not-null-no-default',
  area: 'migration',
  severity: 'error',
  summary: 'ADD COLUMN … NOT NULL without a DEFAULT fails on an existing table that holds any row: every existing row would get NULL.',
  kinds: ['AlterTableStmt'],
  onlyExistingTables: true,
  alterSubtypes: ['AT_AddColumn'],
  async check(ctx) {
    // Identity, generated and serial columns fill every row themselves (a rewrite, reported by other rules).
    const added = addColumnCommands(ctx).filter(({ def }) => (constraintOf(def, 'CONSTR_NOTNULL') || constraintOf(def, 'CONSTR_PRIMARY')) && !defaultExpression(def) && !isComputedColumn(def));
    if (added.length === 0) return [];
    // A table created earlier in this deployment is empty, so the statement cannot fail there; so is one
    // this transaction emptied (TRUNCATE, DELETE without WHERE) before it.
    const table = await existingTable(ctx, ctx.node.relation);
    if (!table || emptiedBefore(ctx, table)) return [];
    // A column that exists already fails for that reason (ADD COLUMN IF NOT EXISTS skips it): not this rule's failure.
    return added.filter(({ def }) => !findColumn(table, def.colname)).map(({ def, index }) => {
      const column = columnPath(table, def.colname);
      const source = sourceCommand(ctx, index)?.def?.ColumnDef as AnyNode | undefined;
      const type = source && columnTypeText(statementSource(ctx), source);
      const t = tableSql(table);
      const c = quoteIdent(def.colname);
      return finding(this, {
        message: `ADD COLUMN ${column} NOT NULL without a DEFAULT fails if existing table ${qualified(table)} holds any row`,
        object: column,
        location: ctx.locate(def.location),
        hint: 'Add the column nullable, backfill it in batches, then add NOT NULL through a validated CHECK. For one value in every row, PG 11+ also accepts NOT NULL DEFAULT <constant> without a rewrite.',
        fix: type
          ? {
              description: 'Three steps: add the column nullable, backfill it in batches, then NOT NULL through a validated CHECK',
              sql: [
                '-- 1. Add the column nullable (catalog-only), and deploy code that writes it:',
                `ALTER TABLE ${t} ADD COLUMN ${c} ${type};`,
                '-- 2. Fill existing rows (replace NULL with the value each row needs):',
                batchedBackfill(table, `${c} = NULL /* value for existing rows */`, `${c} IS NULL`, ctx.pgVersion),
                '-- 3. NOT NULL without a long scan under ACCESS EXCLUSIVE:',
                onlineNotNull(table, def.colname, ctx.pgVersion),
                ...otherConstraintsNote(def, ['CONSTR_NOTNULL', 'CONSTR_DEFAULT']),
              ].join('\n'),
            }
          : undefined,
      });
    });
  },
};
