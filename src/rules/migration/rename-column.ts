import type { Column, Table } from '../../catalog/types.js';
import { quoteIdent, truncateIdentifier } from '../../sql/quote.js';
import type { Fix } from '../../types.js';
import { finding, type MigrationRule, type MigrationRuleContext } from '../types.js';
import { addedEarlierInFile, batchedBackfill, columnPath, findColumn, tableSql } from './columns-util.js';
import { existingTable } from './util.js';

export const renameColumn: MigrationRule = {
  id: 'rename-column',
  area: 'migration',
  severity: 'error',
  summary: 'RENAME COLUMN on an existing table breaks every query of the application code still running that uses the old name, the moment the migration commits.',
  kinds: ['RenameStmt'],
  async check(ctx) {
    const node = ctx.node;
    if (node.renameType !== 'OBJECT_COLUMN' || node.relationType !== 'OBJECT_TABLE') return [];
    // A table created earlier in this deployment, or a column added by it, has no code using it yet.
    // Decided from the parse tree first: no catalog read for a column this migration added.
    if (addedEarlierInFile(ctx, node.relation, node.subname)) return [];
    const table = await existingTable(ctx, node.relation);
    if (!table) return [];
    const old = findColumn(table, node.subname);
    // A missing column or a taken new name makes the statement fail: execution-error reports that better.
    if (ctx.before.detailed && (!old || findColumn(table, node.newname))) return [];
    return [
      finding(this, {
        message: `RENAME COLUMN ${columnPath(table, node.subname)} TO ${node.newname}: running code that uses the old name fails until it is redeployed`,
        object: columnPath(table, node.subname),
        location: ctx.locate(),
        hint: 'Expand/contract: add the new column, keep both in sync with a trigger, backfill, switch the code to the new name, then drop the old column in a later release (or keep the old name).',
        fix: old ? expandContract(ctx, table, old, node.newname) : undefined,
      }),
    ];
  },
};

function expandContract(ctx: MigrationRuleContext, table: Table, old: Column, newName: string): Fix {
  const t = tableSql(table);
  const from = quoteIdent(old.name);
  const to = quoteIdent(newName);
  const name = truncateIdentifier(`${table.name}_${newName}_sync`);
  const fn = `${quoteIdent(table.schema)}.${quoteIdent(name)}`;
  return {
    description: 'Expand/contract: both names live side by side, kept in sync, until no code uses the old one',
    sql: [
      '-- 1. Expand: the new column (catalog-only), kept equal to the old one whichever the code writes.',
      `ALTER TABLE ${t} ADD COLUMN ${to} ${old.type};`,
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $sync$`,
      'BEGIN',
      `  IF TG_OP = 'INSERT' THEN`,
      `    NEW.${to} := coalesce(NEW.${to}, NEW.${from});`,
      `    NEW.${from} := NEW.${to};`,
      `  ELSIF NEW.${to} IS DISTINCT FROM OLD.${to} THEN  -- new code wrote the new name`,
      `    NEW.${from} := NEW.${to};`,
      '  ELSE  -- old code wrote the old name',
      `    NEW.${to} := NEW.${from};`,
      '  END IF;',
      '  RETURN NEW;',
      'END',
      '$sync$;',
      `CREATE TRIGGER ${quoteIdent(name)} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE ${ctx.pgVersion >= 11 ? 'FUNCTION' : 'PROCEDURE'} ${fn}();`,
      '-- 2. Backfill existing rows:',
      batchedBackfill(table, `${to} = ${from}`, undefined, ctx.pgVersion),
      `-- 3. Give ${to} what ${from} has (NOT NULL via a validated CHECK, DEFAULT, indexes CONCURRENTLY, constraints NOT VALID + VALIDATE),`,
      `--    then deploy code that reads and writes only ${to}.`,
      '-- 4. Contract, in a later release:',
      `DROP TRIGGER ${quoteIdent(name)} ON ${t};`,
      `DROP FUNCTION ${fn}();`,
      `ALTER TABLE ${t} DROP COLUMN ${from};`,
    ].join('\n'),
  };
}
