import { parseSync } from '../../sql/pg-parser.js';
import type { Table } from '../../catalog/types.js';
import { finding, type AnyNode, type MigrationRule, type MigrationRuleContext } from '../types.js';
import { quoteIdent } from '../../sql/quote.js';
import { columnPath, commandsOf, findColumn, onlineNotNull, sameRelation, tableSql } from './columns-util.js';
import { existingTablePart, names, qualified, statementText } from './util.js';

/** Whether a CHECK expression guarantees `column IS NOT NULL` (the test itself, or one conjunct of an AND). */
function impliesNotNull(expr: AnyNode | undefined, column: string): boolean {
  if (!expr) return false;
  if (expr.BoolExpr?.boolop === 'AND_EXPR') return (expr.BoolExpr.args ?? []).some((a: AnyNode) => impliesNotNull(a, column));
  const test = expr.NullTest;
  const fields = names(test?.arg?.ColumnRef?.fields);
  return test?.nulltesttype === 'IS_NOT_NULL' && fields.length === 1 && fields[0] === column;
}

// Parsed CHECK definitions: a table's constraints are asked about at every SET NOT NULL on it.
const checkExpressions = new Map<string, AnyNode | undefined>();

/** A catalog CHECK definition (`CHECK (col IS NOT NULL)`) as a parse tree. */
function checkExpression(definition: string): AnyNode | undefined {
  if (!checkExpressions.has(definition)) {
    if (checkExpressions.size >= 10_000) checkExpressions.clear();
    checkExpressions.set(definition, parseCheck(definition));
  }
  return checkExpressions.get(definition);
}

function parseCheck(definition: string): AnyNode | undefined {
  const body = definition.replace(/^CHECK\s*/i, '').replace(/\s+(NOT VALID|NO INHERIT)\s*$/gi, '');
  try {
    return (parseSync(`SELECT 1 WHERE ${body}`).stmts?.[0]?.stmt as AnyNode).SelectStmt?.whereClause;
  } catch {
    return undefined;
  }
}

/** The catalog holds a validated CHECK proving the column NOT NULL. */
const provenByCatalog = (table: Table, column: string) =>
  table.constraints.some((c) => c.type === 'check' && c.validated && impliesNotNull(checkExpression(c.definition), column));

/** Parse-only: an earlier statement of this file added such a CHECK, validated at once or by VALIDATE CONSTRAINT since. */
function provenEarlierInFile(ctx: MigrationRuleContext, column: string): boolean {
  const checks = new Map<string, boolean>(); // constraint name → validated
  for (const stmt of ctx.file.statements) {
    if (stmt.index >= ctx.stmt.index) break;
    if (stmt.kind !== 'AlterTableStmt') continue; // before the tree: reading one may parse it again
    const node = (stmt.node as AnyNode).AlterTableStmt as AnyNode | undefined;
    if (!node || !sameRelation(node.relation, ctx.node.relation)) continue;
    for (const c of node.cmds ?? []) {
      const cmd = c.AlterTableCmd as AnyNode;
      const constraint = cmd?.def?.Constraint as AnyNode | undefined;
      if (cmd?.subtype === 'AT_AddConstraint' && constraint?.contype === 'CONSTR_CHECK' && impliesNotNull(constraint.raw_expr, column)) {
        checks.set(constraint.conname ?? '', !constraint.skip_validation);
      }
      if (cmd?.subtype === 'AT_ValidateConstraint' && checks.has(cmd.name)) checks.set(cmd.name, true);
    }
  }
  return [...checks.values()].some(Boolean);
}

export const setNotNull: MigrationRule = {
  id: 'set-not-null',
  area: 'migration',
  severity: 'warning',
  summary:
    'ALTER COLUMN … SET NOT NULL scans the whole existing table under ACCESS EXCLUSIVE, blocking reads and writes; PG 12+ skips the scan when a validated CHECK (col IS NOT NULL) already proves it.',
  kinds: ['AlterTableStmt'],
  alterSubtypes: ['AT_SetNotNull'],
  async check(ctx) {
    const sets = commandsOf(ctx, 'AT_SetNotNull');
    if (sets.length === 0) return [];
    // A table created earlier in this deployment is empty: the scan is instant. The columns set and
    // the constraints are all the decision and the fix need (not the whole table).
    const table = await existingTablePart(ctx, ctx.node.relation, { columns: sets.map(({ cmd }) => cmd.name as string) });
    if (!table) return [];
    return sets.flatMap(({ cmd, index }) => {
      const column = cmd.name as string;
      if (ctx.before.detailed) {
        const existing = findColumn(table, column);
        // Unknown column: execution-error reports it. Already NOT NULL: nothing to check.
        if (!existing || existing.notNull) return [];
      }
      // PG 12+: SET NOT NULL uses a validated CHECK (col IS NOT NULL) instead of scanning.
      if (ctx.pgVersion >= 12 && (ctx.before.detailed ? provenByCatalog(table, column) : provenEarlierInFile(ctx, column))) return [];
      const old = ctx.pgVersion < 12;
      // A NOT VALID CHECK (col IS NOT NULL) is already there: validating it is all that is missing.
      const pending = table.constraints.find((c) => c.type === 'check' && !c.validated && impliesNotNull(checkExpression(c.definition), column));
      return [
        finding(this, {
          severity: ctx.sized(table, this.severity),
          message: `SET NOT NULL on ${columnPath(table, column)} scans all of existing table ${qualified(table)} under ACCESS EXCLUSIVE${old ? ' (before PG 12 even a validated CHECK (… IS NOT NULL) does not avoid the scan)' : ''}`,
          object: columnPath(table, column),
          location: ctx.locateCommand(index),
          hint: old
            ? 'Before PG 12 SET NOT NULL always scans: enforce it with a CHECK (col IS NOT NULL) NOT VALID + VALIDATE CONSTRAINT instead, and switch to SET NOT NULL after upgrading.'
            : 'Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it (no write lock), then SET NOT NULL skips the scan; drop the CHECK afterwards.',
          fix: pending && !old
            ? {
                description: `Validate the existing CHECK ${pending.name} first (no write lock): SET NOT NULL then needs no scan (PG 12+)`,
                sql: `ALTER TABLE ${tableSql(table)} VALIDATE CONSTRAINT ${quoteIdent(pending.name)};\n${statementText(ctx)};`,
              }
            : {
                description: old ? 'Enforce NOT NULL with a validated CHECK (the scan runs without blocking writes)' : 'NOT NULL through a validated CHECK: SET NOT NULL then needs no scan (PG 12+)',
                sql: onlineNotNull(table, column, ctx.pgVersion),
              },
        }),
      ];
    });
  },
};
