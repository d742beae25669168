import { nameParts } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type AnyNode, type QueryRule } from '../types.js';
import { analyze, firstLocation, functionName, qualifiedName, resolveColumn, stringConstant } from './scope.js';
import { TIMESTAMP_TYPES } from './util.js';

/** Functions and SQL value functions that return a timestamp. */
const TIMESTAMP_FUNCTIONS = new Set(['now', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'date_trunc', 'to_timestamp', 'make_timestamp', 'make_timestamptz', 'date_bin']);
const TIMESTAMP_VALUE_FUNCTIONS = new Set(['SVFOP_CURRENT_TIMESTAMP', 'SVFOP_CURRENT_TIMESTAMP_N', 'SVFOP_LOCALTIMESTAMP', 'SVFOP_LOCALTIMESTAMP_N']);
const TIMESTAMP_NAMES = new Set(['timestamp', 'timestamptz']);

export const betweenTimestamps: QueryRule = {
  id: 'between-timestamps',
  area: 'query',
  severity: 'warning',
  summary:
    "BETWEEN on timestamps includes both ends: a row stamped exactly at the upper bound ('2024-04-01 00:00:00') falls into this range and into the next one, so adjacent periods double-count it.",
  catalogUse:
    "With a catalog: reported when the column is timestamp or timestamptz (a date column is left alone: BETWEEN two dates is the usual inclusive day range). Without one, or for an expression: reported when a bound is visibly a timestamp (a literal with a time of day, a cast to timestamp, now(), CURRENT_TIMESTAMP, date_trunc(…)).",
  check(ctx) {
    const out: Finding[] = [];
    for (const at of analyze(ctx.stmt.node).nodes) {
      if (at.type !== 'A_Expr' || (at.node.kind !== 'AEXPR_BETWEEN' && at.node.kind !== 'AEXPR_BETWEEN_SYM') || !at.block) continue;
      const subject = at.node.lexpr as AnyNode;
      const bounds: AnyNode[] = at.node.rexpr?.List?.items ?? [];
      if (bounds.length !== 2) continue;
      const resolved = subject.ColumnRef && ctx.catalog ? resolveColumn(ctx, subject.ColumnRef, at.block) : undefined;
      let what: string;
      if (resolved?.kind === 'table') {
        if (!TIMESTAMP_TYPES.has(resolved.column.typeName) || resolved.column.isArray) continue;
        what = `${qualifiedName(resolved.table)}.${resolved.column.name} (${resolved.column.type})`;
      } else {
        if (!bounds.some(isTimestampValue)) continue;
        what = ctx.sql.source(subject) ?? 'the value';
      }
      const subjectText = ctx.sql.source(subject) ?? 'column';
      const [low, high] = bounds.map((b) => ctx.sql.source(b) ?? '…');
      out.push(
        finding(this, {
          message: `BETWEEN on ${what} includes both ends: a row at exactly ${high} is counted here and again in the period that starts there`,
          object: resolved?.kind === 'table' ? qualifiedName(resolved.table) : undefined,
          location: ctx.locate(firstLocation(subject)),
          hint: `Use a half-open range, which tiles periods without overlap or gaps: ${subjectText} >= ${low} AND ${subjectText} < ${high}, with the upper bound at the start of the next period.`,
        }),
      );
    }
    return out;
  },
};

/** A bound that is visibly a timestamp, without a catalog. */
function isTimestampValue(node: AnyNode): boolean {
  const text = stringConstant(node);
  // A literal's value (not SQL): a time of day after a date, e.g. '2024-04-01 00:00:00' or ISO 'T'.
  if (text !== undefined) return /^\s*\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}/.test(text);
  if (node.TypeCast) {
    const names = nameParts(node.TypeCast.typeName?.names);
    return TIMESTAMP_NAMES.has(names[names.length - 1]);
  }
  if (node.SQLValueFunction) return TIMESTAMP_VALUE_FUNCTIONS.has(node.SQLValueFunction.op);
  if (node.FuncCall) return TIMESTAMP_FUNCTIONS.has(functionName(node.FuncCall));
  if (node.A_Expr?.kind === 'AEXPR_OP') return isTimestampValue(node.A_Expr.lexpr) || isTimestampValue(node.A_Expr.rexpr ?? {});
  return false;
}
