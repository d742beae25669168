import { conditionColumns } from '../../explain/expr.js';
import type { PlanNode } from '../../explain/types.js';
import { quoteIdent, truncateIdentifier } from '../../sql/quote.js';
import type { PlanRule } from '../types.js';
import { nodeFinding, nodeName, relationSql, rowsText } from './util.js';

/** Misestimate factor that changes plans (join order, nested loop vs hash). */
const FACTOR = 10;
/** Below this many rows per loop on both sides, a factor is noise. */
const MIN_ROWS = 100;

export const rowEstimateMismatch: PlanRule = {
  id: 'row-estimate-mismatch',
  area: 'plan',
  severity: 'warning',
  needsAnalyze: true,
  summary: 'A node whose actual rows differ from the planner\'s estimate by 10x or more: plans above it were chosen for the wrong row count (stale statistics, or columns whose values are correlated).',
  check({ nodes }) {
    const cut = nodesStoppedEarly(nodes);
    const mismatched = new Set(nodes.filter((n) => !cut.has(n.id) && factorOf(n) >= FACTOR));
    // Report where the error starts: a node whose own inputs were estimated well.
    return [...mismatched]
      .filter((node) => !node.children.some((c) => mismatched.has(c)))
      .map((node) => {
        const actual = node.actual!.rows;
        const direction = actual > node.planRows ? 'underestimated' : 'overestimated';
        const expressions = conditionColumns(node.filter ?? node.indexCond, node.alias ?? node.relation).expressions;
        const fix = expressions.length ? undefined : statisticsFix(node);
        return nodeFinding(this, node, {
          message: `${nodeName(node)}: ${rowsText(actual)} actual rows vs ${rowsText(node.planRows)} estimated per loop (${direction} ${Math.round(factorOf(node))}x)`,
          hint: expressions.length
            ? `PostgreSQL keeps no statistics on ${expressions.join(', ')}, so it guesses a fixed share of rows: an index on the expression (or, from PostgreSQL 14, CREATE STATISTICS on it) gives the planner real numbers.`
            : node.relation
            ? 'Refresh the statistics (ANALYZE); if the filter tests several columns whose values are related, extended statistics let the planner see the correlation.'
            : 'The estimate of this node\'s inputs was fine, so the planner cannot predict what this operation keeps (e.g. a join on correlated columns or a function): consider extended statistics or rewriting the condition.',
          ...(fix ? { fix } : {}),
        });
      });
  },
};

function factorOf(node: PlanNode): number {
  if (!node.actual) return 0;
  const actual = node.actual.rows;
  const estimate = node.planRows;
  if (Math.max(actual, estimate) < MIN_ROWS) return 0;
  const a = Math.max(actual, 1);
  const e = Math.max(estimate, 1);
  return Math.max(a / e, e / a);
}

/**
 * Nodes whose execution an ancestor stopped early — under a Limit, or the inner side of a semi/anti join
 * (which stops at the first match): their estimates are for a full run, so a low actual count is expected.
 */
function nodesStoppedEarly(nodes: PlanNode[]): Set<number> {
  const cut = new Set<number>();
  const mark = (node: PlanNode) => {
    cut.add(node.id);
    node.children.forEach(mark);
  };
  for (const node of nodes) {
    if (node.nodeType === 'Limit') node.children.forEach(mark);
    if ((node.joinType === 'Semi' || node.joinType === 'Anti') && node.children[1]) mark(node.children[1]);
    if (node.nodeType === 'Merge Join') node.children.forEach(mark); // a merge join stops reading one side when the other ends
  }
  return cut;
}

function statisticsFix(node: PlanNode) {
  const table = relationSql(node);
  if (!table) return undefined;
  const columns = conditionColumns(node.filter ?? node.indexCond ?? node.recheckCond, node.alias ?? node.relation);
  const all = [...columns.equality, ...columns.range];
  if (all.length >= 2) {
    return {
      description: 'Extended statistics on the filtered columns, then fresh statistics',
      // Named: the name is optional only from PostgreSQL 16 on.
      sql: `CREATE STATISTICS ${quoteIdent(truncateIdentifier(`${node.relation}_${all.join('_')}_stats`))} ON ${all.map(quoteIdent).join(', ')} FROM ${table};\nANALYZE ${table};`,
    };
  }
  return { description: 'Refresh the table\'s statistics', sql: `ANALYZE ${table};` };
}
