// Exclusive time per node: what a plan reader needs first ("where did the time go?"), and the base of
// the renderers' bars and percentages.
import type { NodeTiming, Plan, PlanNode } from './types.js';

const GATHER = new Set(['Gather', 'Gather Merge']);

/**
 * Timing of every node, indexed by node id. A node's actual time is per loop, so its inclusive time is
 * time × loops; under a Gather the loops ran in parallel (one per worker plus the leader), so the
 * product is divided back by the participants. Exclusive = inclusive − the children's inclusive.
 */
export function computeTimings(plan: Plan): NodeTiming[] {
  const timings: NodeTiming[] = [];
  const inclusive = (node: PlanNode, participants: number): number => {
    if (!node.actual) return 0;
    const loops = node.actual.loops;
    // Parallel workers each count a loop; their times overlap rather than add up.
    const parallelLoops = participants > 1 ? Math.max(1, loops / participants) : loops;
    return node.actual.totalMs * parallelLoops;
  };
  const visit = (node: PlanNode, participants: number): number => {
    const own = inclusive(node, participants);
    const childParticipants = GATHER.has(node.nodeType) ? (node.workersLaunched ?? 0) + 1 : participants;
    let children = 0;
    for (const child of node.children) {
      const childTime = visit(child, childParticipants);
      // An InitPlan runs once, and its time is already inside the node that evaluated it.
      children += childTime;
    }
    const exclusive = Math.max(0, own - children);
    const timing: NodeTiming = { inclusiveMs: own, exclusiveMs: exclusive, exclusiveShare: 0 };
    if (node.actual && node.planRows > 0) timing.rowsRatio = node.actual.rows / node.planRows;
    else if (node.actual && node.actual.rows > 0) timing.rowsRatio = node.actual.rows;
    timings[node.id] = timing;
    return own;
  };
  const rootTime = visit(plan.root, 1);
  const total = plan.executionMs && plan.executionMs > 0 ? Math.max(plan.executionMs, rootTime) : rootTime;
  for (const t of timings) if (t) t.exclusiveShare = total > 0 ? t.exclusiveMs / total : 0;
  return timings;
}

/** "Seq Scan on public.orders o", "Index Scan using orders_pkey on orders", "Hash Join": how a node is named in messages. */
export function describeNode(node: PlanNode): string {
  let text = node.nodeType;
  if (node.index && node.nodeType !== 'Bitmap Index Scan') text += ` using ${node.index}`;
  else if (node.index) text += ` on ${node.index}`;
  if (node.relation) {
    const name = node.schema ? `${node.schema}.${node.relation}` : node.relation;
    text += ` on ${name}`;
    if (node.alias && node.alias !== node.relation) text += ` ${node.alias}`;
  } else if (node.cte) text += ` on ${node.cte}`;
  else if (node.functionName) text += ` on ${node.functionName}`;
  return text;
}

/** Total rows a node emitted over all its loops (actual). */
export function actualRowsTotal(node: PlanNode): number {
  return node.actual ? node.actual.rows * node.actual.loops : 0;
}
