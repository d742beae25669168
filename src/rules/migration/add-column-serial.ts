import { quoteIdent, truncateIdentifier } from '../../sql/quote.js';
import { finding, type AnyNode, type MigrationRule } from '../types.js';
import { addColumnCommands, batchedBackfill, columnPath, columnTypeText, constraintOf, onlineNotNull, otherConstraintsNote, serialType, sourceCommand, sqlLiteral, statementSource, tableSql } from './columns-util.js';
import { existingTable, qualified } from './util.js';

export const addColumnSerial: MigrationRule = {
  id: 'add-column-serial',
  area: 'migration',
  severity: 'warning',
  summary: 'ADD COLUMN serial / bigserial / GENERATED … AS IDENTITY on an existing table numbers every existing row: a full table rewrite under ACCESS EXCLUSIVE.',
  kinds: ['AlterTableStmt'],
  onlyExistingTables: true,
  alterSubtypes: ['AT_AddColumn'],
  async check(ctx) {
    const added = addColumnCommands(ctx).filter(({ def }) => serialType(def) || constraintOf(def, 'CONSTR_IDENTITY'));
    if (added.length === 0) return [];
    // A table created earlier in this deployment is empty: numbering it costs nothing.
    const table = await existingTable(ctx, ctx.node.relation);
    if (!table) return [];
    return added.map(({ def, index }) => {
      const identity = constraintOf(def, 'CONSTR_IDENTITY');
      const kind = identity ? `GENERATED ${identity.generated_when === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY` : (def.typeName.names.at(-1)?.String?.sval as string);
      const column = columnPath(table, def.colname);
      const source = sourceCommand(ctx, index)?.def?.ColumnDef as AnyNode | undefined;
      const type = serialType(def) ?? (source && columnTypeText(statementSource(ctx), source));
      const t = tableSql(table);
      const c = quoteIdent(def.colname);
      const sequence = `${quoteIdent(table.schema)}.${quoteIdent(truncateIdentifier(`${table.name}_${def.colname}_backfill_seq`))}`;
      const next = `nextval(${sqlLiteral(sequence)})`;
      return finding(this, {
        severity: ctx.sized(table, this.severity),
        message: `ADD COLUMN ${column} ${kind} rewrites existing table ${qualified(table)} under ACCESS EXCLUSIVE: every existing row is given a number`,
        object: column,
        location: ctx.locate(def.location),
        hint: 'Add a nullable column, number new rows from a sequence, backfill existing rows in batches, then make it NOT NULL (and an identity) without a rewrite.',
        fix: type
          ? {
              description: 'Add the column empty, number new rows from a sequence, backfill in batches, then NOT NULL' + (identity ? ' and the identity' : ''),
              sql: [
                `ALTER TABLE ${t} ADD COLUMN ${c} ${type};  -- catalog-only`,
                `CREATE SEQUENCE ${sequence} AS ${type} OWNED BY ${t}.${c};`,
                `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${next};  -- rows inserted from now on`,
                batchedBackfill(table, `${c} = ${next}`, `${c} IS NULL`, ctx.pgVersion),
                onlineNotNull(table, def.colname, ctx.pgVersion),
                ...(identity
                  ? [
                      '-- The identity: catalog-only now that the column is NOT NULL; its sequence continues after the backfilled numbers.',
                      `ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT;`,
                      `ALTER TABLE ${t} ALTER COLUMN ${c} ADD ${kind};`,
                      `SELECT setval(pg_get_serial_sequence(${sqlLiteral(t)}, ${sqlLiteral(def.colname)}), max(${c})) FROM ${t};`,
                      `DROP SEQUENCE ${sequence};`,
                    ]
                  : []),
                ...otherConstraintsNote(def, ['CONSTR_IDENTITY', 'CONSTR_NOTNULL']),
              ].join('\n'),
            }
          : undefined,
      });
    });
  },
};
