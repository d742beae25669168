import { unqualify } from '../../explain/expr.js';
import type { PlanRule } from '../types.js';
import { indexForCondition, nodeFinding, nodeName, percent, rowsText, stripOuterParens } from './util.js';

const INDEX_SCANS = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);
/** Fetched rows a filter must throw away (over all loops) before it is worth an index change. */
const MIN_REMOVED = 1000;
const REMOVED_SHARE = 0.9;

export const rowsRemovedByFilter: PlanRule = {
  id: 'rows-removed-by-filter',
  area: 'plan',
  severity: 'warning',
  needsAnalyze: true,
  summary: 'An index scan that fetches rows only for a filter to discard most of them: the index finds too much; adding the filter\'s columns to it lets the index do the filtering.',
  check({ nodes }) {
    return nodes.flatMap((node) => {
      if (!INDEX_SCANS.has(node.nodeType) || !node.actual || !node.filter || node.rowsRemovedByFilter === undefined) return [];
      const loops = node.actual.loops;
      const removed = node.rowsRemovedByFilter * loops;
      const fetched = removed + node.actual.rows * loops;
      if (removed < MIN_REMOVED || removed / fetched < REMOVED_SHARE) return [];
      // The index condition of a bitmap scan sits on its Bitmap Index Scan child.
      const indexCond = node.indexCond ?? node.recheckCond;
      const ddl = indexForCondition(node, [indexCond, node.filter]);
      return [
        nodeFinding(this, node, {
          message: `${nodeName(node)} fetches ${rowsText(fetched)} rows and its filter (${stripOuterParens(unqualify(node.filter, node.alias ?? node.relation))}) removes ${percent(removed / fetched)} of them`,
          hint: 'Extend the index with the filter\'s columns (after the index condition\'s equality columns) so it returns only matching rows; or a partial index when the filter is a fixed value.',
          ...(ddl ? { fix: { description: 'An index covering both the index condition and the filter', sql: ddl } } : {}),
        }),
      ];
    });
  },
};
