// A query plan as pgarch reads it: the typed tree behind `pgarch explain`, its insights, and its
// renderings (text, HTML). Built from EXPLAIN's JSON form or from the text psql prints; both go
// through the same normaliser (parse-json.ts), so the two inputs give the same tree.

/** Block counts of one node (or of planning), as EXPLAIN (BUFFERS) reports them; missing counts are 0. */
export interface Buffers {
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  sharedWritten: number;
  localHit: number;
  localRead: number;
  localDirtied: number;
  localWritten: number;
  tempRead: number;
  tempWritten: number;
}

/** What one node did when the plan was executed (EXPLAIN ANALYZE). Times are per loop, as PostgreSQL reports them. */
export interface ActualStats {
  startupMs: number;
  totalMs: number;
  /** Rows per loop (fractional from PostgreSQL 18 on). */
  rows: number;
  loops: number;
}

export interface PlanNode {
  /** Pre-order position in the tree, 0 for the root: stable across text and JSON inputs. */
  id: number;
  /** e.g. "Seq Scan", "Hash Join", "Index Only Scan". */
  nodeType: string;
  /** Outer / Inner / Member / InitPlan / SubPlan, under its parent. */
  parentRelationship?: string;
  /** "InitPlan 1", "SubPlan 2", "CTE x" … */
  subplanName?: string;
  relation?: string;
  schema?: string;
  alias?: string;
  index?: string;
  cte?: string;
  functionName?: string;
  joinType?: string;
  /** Aggregate / SetOp strategy: Plain, Sorted, Hashed, Mixed. */
  strategy?: string;
  scanDirection?: string;
  parallelAware: boolean;
  workersPlanned?: number;
  workersLaunched?: number;
  startupCost: number;
  totalCost: number;
  planRows: number;
  planWidth: number;
  /** Absent when the plan was not executed, or the node never ran ("never executed"). */
  actual?: ActualStats;
  /** True for a node of an ANALYZE plan that never ran. */
  neverExecuted?: boolean;
  output?: string[];
  filter?: string;
  indexCond?: string;
  recheckCond?: string;
  hashCond?: string;
  mergeCond?: string;
  joinFilter?: string;
  rowsRemovedByFilter?: number;
  rowsRemovedByJoinFilter?: number;
  rowsRemovedByIndexRecheck?: number;
  sortKey?: string[];
  sortMethod?: string;
  sortSpaceUsedKb?: number;
  /** Memory or Disk. */
  sortSpaceType?: string;
  hashBuckets?: number;
  hashBatches?: number;
  originalHashBatches?: number;
  peakMemoryKb?: number;
  heapFetches?: number;
  exactHeapBlocks?: number;
  lossyHeapBlocks?: number;
  buffers?: Buffers;
  children: PlanNode[];
  /** Every field EXPLAIN gave for this node, as given (JSON key names), minus "Plans". */
  raw: Record<string, unknown>;
}

export interface Plan {
  root: PlanNode;
  /** Whether the plan carries actual figures (EXPLAIN ANALYZE). */
  analyzed: boolean;
  planningMs?: number;
  executionMs?: number;
  planningBuffers?: Buffers;
  /** Non-default planner settings (EXPLAIN (SETTINGS)). */
  settings?: Record<string, string>;
  triggers?: Array<{ name: string; relation?: string; timeMs: number; calls: number }>;
  /** Present when pgarch ran the query itself. */
  query?: string;
  /** The engine that produced the plan, e.g. "PostgreSQL 18.1 (PGlite 0.5.16)". */
  engine?: string;
}

/** Derived figures for one node, computed once by analyzePlan. */
export interface NodeTiming {
  /** Wall time inside this node and everything under it, over all loops (ms). */
  inclusiveMs: number;
  /** inclusiveMs minus the children's: time spent in this node itself. */
  exclusiveMs: number;
  /** exclusiveMs as a share of the execution time (0..1). */
  exclusiveShare: number;
  /** actual rows / estimated rows per loop (> 1: underestimated); undefined without ANALYZE. */
  rowsRatio?: number;
}
