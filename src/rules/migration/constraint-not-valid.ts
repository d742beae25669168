import type { Table } from '../../catalog/types.js';
import { quoteIdent } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type AnyNode, type MigrationRule } from '../types.js';
import { addedConstraintText, defaultConstraintName, onlyRelationName, referencedColumns } from './objects-util.js';
import { alterCommands, existingRef, tableWithoutDetails, names, qualified } from './util.js';

export const constraintNotValid: MigrationRule = {
  id: 'constraint-not-valid',
  area: 'migration',
  severity: 'warning',
  summary:
    'ADD FOREIGN KEY / ADD CHECK without NOT VALID checks every row of an existing table while holding a lock that blocks writes (a CHECK blocks reads too); add it NOT VALID and VALIDATE it later.',
  kinds: ['AlterTableStmt'],
  alterSubtypes: ['AT_AddConstraint'],
  async check(ctx) {
    const added = alterCommands(ctx)
      .map((cmd, index) => ({ index, constraint: cmd.def?.Constraint as AnyNode | undefined, subtype: cmd.subtype }))
      // skip_validation: NOT VALID (or PG 18's NOT ENFORCED), which checks no existing row.
      .filter((a) => a.subtype === 'AT_AddConstraint' && ['CONSTR_FOREIGN', 'CONSTR_CHECK'].includes(a.constraint?.contype) && !a.constraint?.skip_validation);
    if (!added.length) return [];
    // A table created earlier in this deployment is empty: validating it is instant.
    const table = await existingRef(ctx, ctx.node.relation);
    if (!table) return [];
    // Reported: now the details are worth a read (generated names must not collide).
    const details = (await ctx.before.table(ctx.node.relation)) ?? tableWithoutDetails(table);

    const out: Finding[] = [];
    for (const { index, constraint: c } of added) {
      const foreign = c!.contype === 'CONSTR_FOREIGN';
      const name: string = c!.conname ?? (foreign ? defaultConstraintName(details, names(c!.fk_attrs), 'fkey') : checkName(details, c!.raw_expr));
      const clause = addedConstraintText(ctx, index);
      // PG 11–17 reject NOT VALID foreign keys on a partitioned table (PG 18 accepts them).
      const noNotValid = foreign && table.kind === 'partitioned table' && ctx.pgVersion < 18;
      const alter = `ALTER TABLE ${onlyRelationName(ctx.node.relation)}`;
      out.push(
        finding(this, {
          severity: ctx.sized(table, this.severity),
          message: foreign
            ? `Foreign key ${name} on existing table ${qualified(table)} is checked against every row while writes to it and to ${c!.pktable?.relname} are blocked (SHARE ROW EXCLUSIVE)`
            : `CHECK constraint ${name} on existing table ${qualified(table)} is checked against every row under an ACCESS EXCLUSIVE lock (blocks reads and writes)`,
          object: qualified(table),
          location: ctx.locate(c!.location),
          hint: noNotValid
            ? `Before PostgreSQL 18 a foreign key on a partitioned table cannot be added NOT VALID: add it NOT VALID to each partition and VALIDATE those, or plan a maintenance window.`
            : 'Add it NOT VALID (only new and updated rows are checked, the lock is brief), then run VALIDATE CONSTRAINT in a later transaction: it scans under SHARE UPDATE EXCLUSIVE, which does not block reads or writes.',
          fix:
            clause && !noNotValid
              ? {
                  description: 'Add the constraint without checking existing rows, then validate it in a later transaction',
                  sql: [
                    `${alter} ADD ${c!.conname ? '' : `CONSTRAINT ${quoteIdent(name)} `}${clause} NOT VALID;`,
                    '-- in a later migration (or at least after COMMIT):',
                    `${alter} VALIDATE CONSTRAINT ${quoteIdent(name)};`,
                  ].join('\n'),
                }
              : undefined,
        }),
      );
    }
    return out;
  },
};

/** PostgreSQL names an unnamed CHECK after its column when it uses exactly one (heap.c), else `table_check`. */
function checkName(table: Table, expr: AnyNode): string {
  const columns = referencedColumns(expr);
  return defaultConstraintName(table, columns.length === 1 ? columns : [], 'check');
}
