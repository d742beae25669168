// EXPLAIN's JSON form → the typed Plan. Also the normaliser the text parser feeds (it produces the same
// JSON-shaped objects), so both inputs meet one definition of a plan.
import type { Buffers, Plan, PlanNode } from './types.js';

/** A plan that cannot be read: the message says where and why. */
export class PlanParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanParseError';
  }
}

type Raw = Record<string, unknown>;

/**
 * Read EXPLAIN (FORMAT JSON) output: the JSON text, or the parsed value (`[{ Plan, … }]`, `{ Plan, … }`, or
 * the row `{ "QUERY PLAN": [...] }` a driver returns). psql's aligned output of it (a "QUERY PLAN" header
 * and `+` at line ends) is accepted too, since that is what users paste.
 */
export function parseJsonPlan(input: unknown): Plan {
  let value = input;
  if (typeof value === 'string') value = parseJsonText(value);
  if (Array.isArray(value)) value = value[0];
  if (isObject(value) && 'QUERY PLAN' in value) return parseJsonPlan(value['QUERY PLAN']);
  if (!isObject(value) || !isObject(value.Plan)) throw new PlanParseError('not an EXPLAIN (FORMAT JSON) plan: no "Plan" object found');
  return planFromRaw(value);
}

function parseJsonText(text: string): unknown {
  const start = text.search(/[[{]/);
  if (start < 0) throw new PlanParseError('not an EXPLAIN (FORMAT JSON) plan: no JSON found');
  let body = text.slice(start);
  try {
    return JSON.parse(body);
  } catch {
    // psql's aligned format: one leading space per line, a "+" continuation marker at the end, and a
    // "(1 row)" footer. Undo those and try again.
    body = body
      .split(/\r?\n/)
      .filter((line) => !/^\s*\(\d+ rows?\)\s*$/.test(line))
      .map((line) => line.replace(/\s*\+\s*$/, '').replace(/^ /, ''))
      .join('\n');
    try {
      return JSON.parse(body);
    } catch (error) {
      throw new PlanParseError(`plan is not valid JSON: ${(error as Error).message}`);
    }
  }
}

/** The top-level object of one EXPLAIN result (`{ Plan, "Planning Time", … }`) → Plan. */
export function planFromRaw(top: Raw): Plan {
  let next = 0;
  const build = (raw: Raw): PlanNode => {
    const id = next++;
    const children = Array.isArray(raw.Plans) ? (raw.Plans as Raw[]).map(build) : [];
    return nodeFromRaw(raw, id, children);
  };
  const root = build(top.Plan as Raw);
  const analyzed = hasActuals(root);
  const plan: Plan = { root, analyzed };
  const planning = top['Planning Time'];
  if (typeof planning === 'number') plan.planningMs = planning;
  const execution = top['Execution Time'];
  if (typeof execution === 'number') plan.executionMs = execution;
  if (isObject(top.Planning)) {
    const buffers = buffersFrom(top.Planning);
    if (buffers) plan.planningBuffers = buffers;
  }
  if (isObject(top.Settings) && Object.keys(top.Settings).length) {
    plan.settings = Object.fromEntries(Object.entries(top.Settings).map(([k, v]) => [k, String(v)]));
  }
  if (Array.isArray(top.Triggers) && top.Triggers.length) {
    plan.triggers = (top.Triggers as Raw[]).map((t) => ({
      name: String(t['Trigger Name'] ?? t['Constraint Name'] ?? 'trigger'),
      ...(typeof t.Relation === 'string' ? { relation: t.Relation } : {}),
      timeMs: num(t.Time) ?? 0,
      calls: num(t.Calls) ?? 0,
    }));
  }
  return plan;
}

function hasActuals(node: PlanNode): boolean {
  return Boolean(node.actual || node.neverExecuted || node.children.some(hasActuals));
}

function nodeFromRaw(raw: Raw, id: number, children: PlanNode[]): PlanNode {
  const { Plans: _plans, ...fields } = raw;
  const node: PlanNode = {
    id,
    nodeType: String(raw['Node Type'] ?? 'Unknown'),
    parallelAware: raw['Parallel Aware'] === true,
    startupCost: num(raw['Startup Cost']) ?? 0,
    totalCost: num(raw['Total Cost']) ?? 0,
    planRows: num(raw['Plan Rows']) ?? 0,
    planWidth: num(raw['Plan Width']) ?? 0,
    children,
    raw: fields,
  };
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  const strings: Array<[keyof PlanNode, string]> = [
    ['parentRelationship', 'Parent Relationship'],
    ['subplanName', 'Subplan Name'],
    ['relation', 'Relation Name'],
    ['schema', 'Schema'],
    ['alias', 'Alias'],
    ['index', 'Index Name'],
    ['cte', 'CTE Name'],
    ['functionName', 'Function Name'],
    ['joinType', 'Join Type'],
    ['strategy', 'Strategy'],
    ['scanDirection', 'Scan Direction'],
    ['filter', 'Filter'],
    ['indexCond', 'Index Cond'],
    ['recheckCond', 'Recheck Cond'],
    ['hashCond', 'Hash Cond'],
    ['mergeCond', 'Merge Cond'],
    ['joinFilter', 'Join Filter'],
    ['sortMethod', 'Sort Method'],
    ['sortSpaceType', 'Sort Space Type'],
  ];
  for (const [field, key] of strings) {
    const value = text(key);
    if (value !== undefined) (node as unknown as Raw)[field] = value;
  }
  const numbers: Array<[keyof PlanNode, string]> = [
    ['workersPlanned', 'Workers Planned'],
    ['workersLaunched', 'Workers Launched'],
    ['rowsRemovedByFilter', 'Rows Removed by Filter'],
    ['rowsRemovedByJoinFilter', 'Rows Removed by Join Filter'],
    ['rowsRemovedByIndexRecheck', 'Rows Removed by Index Recheck'],
    ['sortSpaceUsedKb', 'Sort Space Used'],
    ['hashBuckets', 'Hash Buckets'],
    ['hashBatches', 'Hash Batches'],
    ['originalHashBatches', 'Original Hash Batches'],
    ['peakMemoryKb', 'Peak Memory Usage'],
    ['heapFetches', 'Heap Fetches'],
    ['exactHeapBlocks', 'Exact Heap Blocks'],
    ['lossyHeapBlocks', 'Lossy Heap Blocks'],
  ];
  for (const [field, key] of numbers) {
    const value = num(raw[key]);
    if (value !== undefined) (node as unknown as Raw)[field] = value;
  }
  if (Array.isArray(raw.Output)) node.output = raw.Output.map(String);
  if (Array.isArray(raw['Sort Key'])) node.sortKey = raw['Sort Key'].map(String);
  const loops = num(raw['Actual Loops']);
  if (loops === 0) node.neverExecuted = true;
  else if (loops !== undefined) {
    node.actual = {
      startupMs: num(raw['Actual Startup Time']) ?? 0,
      totalMs: num(raw['Actual Total Time']) ?? 0,
      rows: num(raw['Actual Rows']) ?? 0,
      loops,
    };
  }
  const buffers = buffersFrom(raw);
  if (buffers) node.buffers = buffers;
  return node;
}

const BUFFER_KEYS: Array<[keyof Buffers, string]> = [
  ['sharedHit', 'Shared Hit Blocks'],
  ['sharedRead', 'Shared Read Blocks'],
  ['sharedDirtied', 'Shared Dirtied Blocks'],
  ['sharedWritten', 'Shared Written Blocks'],
  ['localHit', 'Local Hit Blocks'],
  ['localRead', 'Local Read Blocks'],
  ['localDirtied', 'Local Dirtied Blocks'],
  ['localWritten', 'Local Written Blocks'],
  ['tempRead', 'Temp Read Blocks'],
  ['tempWritten', 'Temp Written Blocks'],
];

/** Buffers of a node when EXPLAIN reported any (BUFFERS on); counts it left out are 0. */
function buffersFrom(raw: Raw): Buffers | undefined {
  if (!BUFFER_KEYS.some(([, key]) => key in raw)) return undefined;
  const buffers = {} as Buffers;
  for (const [field, key] of BUFFER_KEYS) buffers[field] = num(raw[key]) ?? 0;
  return buffers;
}

export const bufferKeys = (): ReadonlyArray<[keyof Buffers, string]> => BUFFER_KEYS;

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every node of a plan, parents before children. */
export function walkPlan(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const visit = (node: PlanNode) => {
    out.push(node);
    node.children.forEach(visit);
  };
  visit(root);
  return out;
}
