import type { Table } from '../../catalog/types.js';
import { quoteIdent } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type AnyNode, type MigrationRule, type MigrationRuleContext } from '../types.js';
import {
  addColumnCommands,
  batchedBackfill,
  callsVolatileFunction,
  columnPath,
  columnTypeText,
  constraintExpressionText,
  constraintOf,
  defaultExpression,
  isComputedColumn,
  isConstant,
  knownRewriteCommands,
  onlineNotNull,
  otherConstraintsNote,
  sourceCommand,
  statementSource,
  tableSql,
} from './columns-util.js';
import { isBuiltinType } from '../../migrate/statement.js';
import { alterCommands, existingTable, qualified } from './util.js';

interface AddedDefault {
  def: AnyNode;
  index: number;
  expr: AnyNode;
}

// What check() saw, for afterExecute() to attribute a measured rewrite.
const pending = new WeakMap<object, { table: Table; added: AddedDefault[] }>();

export const addColumnVolatileDefault: MigrationRule = {
  id: 'add-column-volatile-default',
  area: 'migration',
  severity: 'warning',
  summary:
    'ADD COLUMN with a volatile DEFAULT (random(), gen_random_uuid(), clock_timestamp(), nextval()) rewrites the whole existing table under ACCESS EXCLUSIVE; PG 11+ stores constant and stable defaults such as now() without a rewrite.',
  kinds: ['AlterTableStmt'],
  onlyExistingTables: true,
  alterSubtypes: ['AT_AddColumn'],
  async check(ctx) {
    // identity, generated and serial columns rewrite too, but add-column-serial / add-generated-stored-column own them.
    const added = addColumnCommands(ctx).flatMap(({ def, index }) => {
      const expr = defaultExpression(def);
      return expr && !isComputedColumn(def) ? [{ def, index, expr }] : [];
    });
    if (added.length === 0) return [];
    // PG 11+: a constant default of a built-in type never rewrites (a domain with constraints would):
    // nothing to decide, so no catalog read either.
    if (ctx.pgVersion >= 11 && added.every((a) => isConstant(a.expr) && isBuiltinType(a.def))) return [];
    // A table created earlier in this deployment is empty: a rewrite of it costs nothing.
    const table = await existingTable(ctx, ctx.node.relation);
    if (!table) return [];
    pending.set(ctx.stmt, { table, added });
    return added.flatMap((a) => {
      // Before PG 11 every non-NULL default was written into every row: execution on a newer engine cannot show it.
      if (ctx.pgVersion < 11) return [report(ctx, table, a, `rewrites existing table ${qualified(table)} under ACCESS EXCLUSIVE: before PostgreSQL 11 every non-NULL default is written into every row`)];
      // Parse-only mode measures nothing, and a partitioned table's partitions are not traced: judge by the function's name.
      if ((!ctx.before.detailed || table.kind === 'partitioned table') && callsVolatileFunction(a.expr)) {
        return [report(ctx, table, a, `rewrites ${table.kind === 'partitioned table' ? 'every partition of ' : ''}existing table ${qualified(table)} under ACCESS EXCLUSIVE: a volatile default is evaluated and written for every row`)];
      }
      return [];
    });
  },
  measuresRewrite(ctx, reported) {
    return pending.has(ctx.stmt) && !reported.some((f) => f.rule === this.id);
  },
  afterExecute(ctx) {
    const seen = pending.get(ctx.stmt);
    if (!seen || ctx.reported.some((f) => f.rule === this.id)) return [];
    if (!ctx.rewritten.includes(qualified(seen.table))) return [];
    // PG 11+ rewrites only for a volatile default (or a domain with constraints): the relfilenode changed,
    // so one of the non-constant defaults caused it, unless another subcommand explains the rewrite.
    const computed = seen.added.filter((a) => !isConstant(a.expr));
    const named = computed.filter((a) => callsVolatileFunction(a.expr));
    const otherCause = knownRewriteCommands(ctx).length > 0 || alterCommands(ctx).some((cmd) => cmd.subtype === 'AT_AlterColumnType');
    const culprits = named.length ? named : otherCause ? [] : computed;
    return culprits.map((a) => report(ctx, seen.table, a, `rewrote existing table ${qualified(seen.table)} under ACCESS EXCLUSIVE (measured: its relfilenode changed): a volatile default is evaluated and written for every row`));
  },
};

function report(ctx: MigrationRuleContext, table: Table, a: AddedDefault, what: string): Finding {
  const rule = addColumnVolatileDefault;
  const column = columnPath(table, a.def.colname);
  const defaultText = defaultTextOf(ctx, a);
  return finding(rule, {
    severity: ctx.sized(table, rule.severity),
    message: `ADD COLUMN ${column} DEFAULT ${defaultText ?? '…'} ${what}`,
    object: column,
    location: ctx.locate(a.def.location),
    hint: 'Add the column without a default, set the default for new rows, then backfill existing rows in batches.',
    fix: fixFor(ctx, table, a, defaultText),
  });
}

function defaultTextOf(ctx: MigrationRuleContext, a: AddedDefault): string | undefined {
  const def = sourceCommand(ctx, a.index)?.def?.ColumnDef as AnyNode | undefined;
  const constraint = def && constraintOf(def, 'CONSTR_DEFAULT');
  return def && constraint ? constraintExpressionText(statementSource(ctx), def, constraint) : undefined;
}

function fixFor(ctx: MigrationRuleContext, table: Table, a: AddedDefault, defaultText: string | undefined): Finding['fix'] {
  const def = sourceCommand(ctx, a.index)?.def?.ColumnDef as AnyNode | undefined;
  const type = def && columnTypeText(statementSource(ctx), def);
  if (!type || !defaultText) return undefined;
  const t = tableSql(table);
  const c = quoteIdent(a.def.colname);
  const notNull = Boolean(constraintOf(a.def, 'CONSTR_NOTNULL'));
  return {
    description: 'Add the column without a default (catalog-only), default new rows, backfill existing rows in batches',
    sql: [
      `ALTER TABLE ${t} ADD COLUMN ${c} ${type};`,
      `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${defaultText};  -- rows inserted from now on`,
      batchedBackfill(table, `${c} = ${defaultText}`, `${c} IS NULL`, ctx.pgVersion),
      ...(notNull ? ['-- Then NOT NULL, without a long scan under ACCESS EXCLUSIVE:', onlineNotNull(table, a.def.colname, ctx.pgVersion)] : []),
      ...otherConstraintsNote(a.def, ['CONSTR_DEFAULT', 'CONSTR_NOTNULL']),
    ].join('\n'),
  };
}
