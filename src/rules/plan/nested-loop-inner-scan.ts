import type { PlanNode } from '../../explain/types.js';
import type { PlanRule } from '../types.js';
import { innerScan } from './seq-scan-filter.js';
import { indexForCondition, nodeFinding, nodeName, rowsText } from './util.js';

/** Loops over the inner side before repeating it is a pattern rather than a detail. */
const MIN_LOOPS = 10;

export const nestedLoopInnerScan: PlanRule = {
  id: 'nested-loop-inner-scan',
  area: 'plan',
  severity: 'warning',
  needsAnalyze: true,
  summary: 'A Nested Loop that scans its inner side without an index once per outer row: work grows with the product of both sides; an index on the inner join column turns each loop into a lookup.',
  check({ nodes, smallTableRows }) {
    return nodes.flatMap((loop) => {
      if (loop.nodeType !== 'Nested Loop' || !loop.actual) return [];
      const inner = innerScan(loop);
      if (!inner || !isUnindexedScan(inner)) return [];
      const materialized = loop.children[1] !== inner;
      // Rows the loop compared: through a Materialize the scan runs once and the stored rows are
      // re-read per outer row, and the join filter discards the misses.
      const outerRows = loop.children[0]?.actual ? loop.children[0].actual.rows * loop.children[0].actual.loops : 0;
      const innerLoops = materialized ? outerRows : inner.actual?.loops ?? 0;
      if (innerLoops < MIN_LOOPS) return [];
      const perLoop = materialized
        ? (loop.children[1].actual?.rows ?? 0)
        : (inner.actual?.rows ?? 0) + (inner.rowsRemovedByFilter ?? 0);
      const compared = materialized ? (loop.rowsRemovedByJoinFilter ?? 0) * loop.actual.loops + loop.actual.rows * loop.actual.loops : perLoop * innerLoops;
      if (compared < smallTableRows) return [];
      const condition = materialized ? loop.joinFilter : inner.filter;
      const ddl = indexForCondition(inner, [condition]);
      return [
        nodeFinding(this, loop, {
          message: `${nodeName(loop)} repeats ${nodeName(inner)}${materialized ? ' (materialized)' : ''} ${rowsText(innerLoops)} times, comparing ${rowsText(compared)} rows`,
          hint: 'Index the inner table on its join column, so each outer row costs one index lookup; if the outer side was underestimated, fix its statistics too (a hash join may be the better plan).',
          ...(ddl ? { fix: { description: 'Index the inner side on its join column', sql: ddl } } : {}),
          ...(inner.relation ? { object: inner.schema ? `${inner.schema}.${inner.relation}` : inner.relation } : {}),
        }),
      ];
    });
  },
};

function isUnindexedScan(node: PlanNode): boolean {
  return node.nodeType === 'Seq Scan' || node.nodeType === 'Parallel Seq Scan' || node.nodeType === 'Function Scan' || node.nodeType === 'CTE Scan';
}
