import type { PlanRule } from '../types.js';
import { nodeFinding, nodeName, rowsText, workMemFor } from './util.js';

/** Bytes a bitmap needs per exact heap page (a TID bitmap page entry), to size the work_mem advice. */
const BYTES_PER_PAGE = 64;

export const lossyBitmap: PlanRule = {
  id: 'lossy-bitmap',
  area: 'plan',
  severity: 'warning',
  needsAnalyze: true,
  summary: 'A Bitmap Heap Scan whose bitmap did not fit in work_mem and went lossy: it remembers whole pages instead of rows, so every row on those pages is rechecked.',
  check({ nodes }) {
    return nodes.flatMap((node) => {
      if (node.nodeType !== 'Bitmap Heap Scan' || !node.lossyHeapBlocks) return [];
      const pages = (node.exactHeapBlocks ?? 0) + node.lossyHeapBlocks;
      const setting = workMemFor((pages * BYTES_PER_PAGE) / 1024);
      const rechecked = node.rowsRemovedByIndexRecheck && node.actual ? `; the recheck removed ${rowsText(node.rowsRemovedByIndexRecheck * node.actual.loops)} rows` : '';
      return [
        nodeFinding(this, node, {
          message: `${nodeName(node)} went lossy on ${rowsText(node.lossyHeapBlocks)} of ${rowsText(pages)} heap pages${rechecked}`,
          hint: `Raise work_mem for this query (${setting} would keep the bitmap exact), or make the condition more selective (a better index) so the bitmap is smaller.`,
          fix: { description: 'More memory for this transaction only', sql: `SET LOCAL work_mem = '${setting}';` },
        }),
      ];
    });
  },
};
