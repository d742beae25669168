import type { PlanRule } from '../types.js';
import { nodeFinding, nodeName, percent, relationSql, rowsText } from './util.js';

const MIN_FETCHES = 100;
/** Share of returned rows that went to the heap before the "only" in Index Only Scan is lost. */
const FETCH_SHARE = 0.1;

export const heapFetches: PlanRule = {
  id: 'heap-fetches',
  area: 'plan',
  severity: 'warning',
  needsAnalyze: true,
  summary: 'An Index Only Scan that still visited the table for many rows (Heap Fetches): the visibility map is stale, so the index-only plan does the work of an index scan; VACUUM refreshes it.',
  check({ nodes }) {
    return nodes.flatMap((node) => {
      if (node.nodeType !== 'Index Only Scan' || !node.actual || node.heapFetches === undefined) return [];
      const returned = node.actual.rows * node.actual.loops;
      if (node.heapFetches < MIN_FETCHES || node.heapFetches < returned * FETCH_SHARE) return [];
      const table = relationSql(node);
      return [
        nodeFinding(this, node, {
          message: `${nodeName(node)} fetched ${rowsText(node.heapFetches)} of its ${rowsText(returned)} rows from the table (${percent(node.heapFetches / Math.max(returned, 1))}): the visibility map is out of date`,
          hint: 'VACUUM the table (and check that autovacuum keeps up with its write rate, e.g. a lower autovacuum_vacuum_scale_factor or autovacuum_vacuum_insert_scale_factor for this table).',
          ...(table ? { fix: { description: 'Refresh the visibility map and statistics', sql: `VACUUM (ANALYZE) ${table};` } } : {}),
        }),
      ];
    });
  },
};
