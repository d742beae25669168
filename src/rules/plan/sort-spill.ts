import type { PlanNode } from '../../explain/types.js';
import type { PlanRule } from '../types.js';
import { nodeFinding, nodeName, workMemFor } from './util.js';

export const sortSpill: PlanRule = {
  id: 'sort-spill',
  area: 'plan',
  severity: 'warning',
  needsAnalyze: true,
  summary: 'A Sort, Hash or hash aggregate that did not fit in work_mem and spilled to temporary files on disk (external merge, more than one batch): raise work_mem for this query, or avoid the sort with an index.',
  check({ nodes }) {
    return nodes.flatMap((node) => {
      const spill = spillOf(node);
      if (!spill) return [];
      const setting = workMemFor(spill.kb * spill.memoryFactor);
      return [
        nodeFinding(this, node, {
          message: `${nodeName(node)} spilled to disk: ${spill.what}`,
          hint: `Raise work_mem for this query (${setting} would hold it) in the session or transaction that runs it rather than globally; for a sort, an index in the sort order can avoid it altogether.`,
          fix: { description: 'More memory for this transaction only', sql: `SET LOCAL work_mem = '${setting}';` },
        }),
      ];
    });
  },
};

interface Spill {
  what: string;
  /** Disk or memory used, in kB. */
  kb: number;
  /** Memory needed per kB written to disk (an in-memory sort takes ~2-3x its on-disk size). */
  memoryFactor: number;
}

function spillOf(node: PlanNode): Spill | undefined {
  if (node.sortSpaceType === 'Disk' || /external/i.test(node.sortMethod ?? '')) {
    const kb = node.sortSpaceUsedKb ?? 0;
    return { what: `${node.sortMethod ?? 'external sort'} using ${kb} kB of disk`, kb, memoryFactor: 3 };
  }
  if (node.nodeType === 'Hash' && (node.hashBatches ?? 1) > 1) {
    const kb = (node.peakMemoryKb ?? 0) * (node.hashBatches ?? 1);
    return { what: `${node.hashBatches} batches${node.originalHashBatches && node.originalHashBatches !== node.hashBatches ? ` (planned ${node.originalHashBatches})` : ''}, ${node.peakMemoryKb ?? '?'} kB in memory per batch`, kb, memoryFactor: 1.5 };
  }
  const diskKb = Number(node.raw['Disk Usage'] ?? 0);
  const batches = Number(node.raw['HashAgg Batches'] ?? 1);
  if (node.nodeType === 'Aggregate' && (diskKb > 0 || batches > 1)) {
    const peak = Number(node.raw['Peak Memory Usage'] ?? 0);
    return { what: `${batches} batches, ${diskKb} kB of disk`, kb: peak + diskKb, memoryFactor: 2 };
  }
  return undefined;
}
