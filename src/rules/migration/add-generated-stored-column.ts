import { quoteIdent, truncateIdentifier } from '../../sql/quote.js';
import { finding, type AnyNode, type MigrationRule } from '../types.js';
import { addColumnCommands, batchedBackfill, columnPath, columnTypeText, constraintExpressionText, constraintOf, otherConstraintsNote, sourceCommand, statementSource, tableSql } from './columns-util.js';
import { existingTable, qualified } from './util.js';

export const addGeneratedStoredColumn: MigrationRule = {
  id: 'add-generated-stored-column',
  area: 'migration',
  severity: 'warning',
  summary: 'ADD COLUMN … GENERATED ALWAYS AS (…) STORED on an existing table computes and writes the value for every row: a full table rewrite under ACCESS EXCLUSIVE.',
  kinds: ['AlterTableStmt'],
  onlyExistingTables: true,
  alterSubtypes: ['AT_AddColumn'],
  async check(ctx) {
    // PG 18 VIRTUAL generated columns are computed on read: adding one is catalog-only, not reported.
    const added = addColumnCommands(ctx).filter(({ def }) => constraintOf(def, 'CONSTR_GENERATED')?.generated_kind === 's');
    if (added.length === 0) return [];
    // A table created earlier in this deployment is empty: computing it costs nothing.
    const table = await existingTable(ctx, ctx.node.relation);
    if (!table) return [];
    return added.map(({ def, index }) => {
      const column = columnPath(table, def.colname);
      const source = sourceCommand(ctx, index)?.def?.ColumnDef as AnyNode | undefined;
      const src = statementSource(ctx);
      const type = source && columnTypeText(src, source);
      const generated = source && constraintOf(source, 'CONSTR_GENERATED');
      const expression = source && generated && constraintExpressionText(src, source, generated);
      return finding(this, {
        severity: ctx.sized(table, this.severity),
        message: `ADD COLUMN ${column} GENERATED ALWAYS AS (…) STORED rewrites existing table ${qualified(table)} under ACCESS EXCLUSIVE: the value is computed and written for every row`,
        object: column,
        location: ctx.locate(def.location),
        hint: `Add a plain column kept up to date by a trigger and backfill it in batches, or compute the value in a view${ctx.pgVersion >= 18 ? ' or a VIRTUAL generated column (PG 18+, catalog-only)' : ''}.`,
        fix: type && expression ? triggerFix(ctx.pgVersion, table, def, type, expression) : undefined,
      });
    });
  },
};

function triggerFix(pgVersion: number, table: Parameters<typeof tableSql>[0], def: AnyNode, type: string, expression: string) {
  const t = tableSql(table);
  const c = quoteIdent(def.colname);
  const name = truncateIdentifier(`${table.name}_${def.colname}_compute`);
  const fn = `${quoteIdent(table.schema)}.${quoteIdent(name)}`;
  return {
    description: 'A plain column computed by a trigger for new and changed rows, backfilled in batches',
    sql: [
      `ALTER TABLE ${t} ADD COLUMN ${c} ${type};  -- catalog-only`,
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $compute$`,
      'BEGIN',
      '  -- The generation expression, evaluated over the new row\'s columns:',
      `  NEW.${c} := (SELECT ${expression} FROM (SELECT NEW.*) AS new_row);`,
      '  RETURN NEW;',
      'END',
      '$compute$;',
      // EXECUTE FUNCTION is PG 11+; older versions spell it EXECUTE PROCEDURE.
      `CREATE TRIGGER ${quoteIdent(name)} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE ${pgVersion >= 11 ? 'FUNCTION' : 'PROCEDURE'} ${fn}();`,
      batchedBackfill(table, `${c} = ${expression}`, undefined, pgVersion),
      ...otherConstraintsNote(def, ['CONSTR_GENERATED']),
    ].join('\n'),
  };
}
