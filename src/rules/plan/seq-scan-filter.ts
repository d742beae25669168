import type { PlanNode } from '../../explain/types.js';
import { unqualify } from '../../explain/expr.js';
import type { PlanRule } from '../types.js';
import { indexForCondition, nodeFinding, nodeName, percent, rowsText, stripOuterParens } from './util.js';

/** Share of scanned rows a filter must discard before an index is worth proposing. */
const REMOVED_SHARE = 0.9;

export const seqScanFilter: PlanRule = {
  id: 'seq-scan-filter',
  area: 'plan',
  severity: 'warning',
  needsAnalyze: true,
  summary: 'A Seq Scan that reads a large relation only for a filter to throw most of its rows away: an index on the filtered columns (a partial one for a rare value) reads just the rows kept.',
  check({ nodes, smallTableRows, parameterValues }) {
    return nodes.filter(isSeqScan).flatMap((node) => {
      if (!node.actual || !node.filter || node.rowsRemovedByFilter === undefined) return [];
      if (isRepeatedInnerScan(node, nodes)) return []; // nested-loop-inner-scan speaks about those
      const loops = node.actual.loops;
      const removed = node.rowsRemovedByFilter * loops;
      const kept = node.actual.rows * loops;
      const scanned = removed + kept;
      if (scanned < smallTableRows || removed / scanned < REMOVED_SHARE) return [];
      const filter = stripOuterParens(unqualify(node.filter, node.alias ?? node.relation));
      const ddl = indexForCondition(node, [node.filter], { keptShare: kept / scanned, parameterValues });
      return [
        nodeFinding(this, node, {
          message: `${nodeName(node)} removes ${percent(removed / scanned)} of ${rowsText(scanned)} rows by filter (${filter})${ddl ? ` — consider ${ddl.replace(/;$/, '')}` : ''}`,
          hint: 'An index whose leading columns are the filter\'s equality columns lets PostgreSQL read only the rows it keeps; for a rare value, a partial index (WHERE …) stays small.',
          ...(ddl ? { fix: { description: 'Index the filtered columns (built without blocking writes)', sql: ddl } } : {}),
        }),
      ];
    });
  },
};

function isSeqScan(node: PlanNode): boolean {
  return node.nodeType === 'Seq Scan' || node.nodeType === 'Parallel Seq Scan';
}

/** The inner side of a nested loop, run once per outer row. */
export function isRepeatedInnerScan(node: PlanNode, nodes: PlanNode[]): boolean {
  if (!node.actual || node.actual.loops <= 1) return false;
  return nodes.some((parent) => parent.nodeType === 'Nested Loop' && innerScan(parent) === node);
}

/** The scan a nested loop repeats: its inner child, through a Materialize. */
export function innerScan(loop: PlanNode): PlanNode | undefined {
  let inner = loop.children[1];
  while (inner && inner.nodeType === 'Materialize' && inner.children.length === 1) inner = inner.children[0];
  return inner;
}
