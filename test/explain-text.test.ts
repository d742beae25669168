// EXPLAIN's text form read by parseTextPlan gives the same tree as its JSON form read by parseJsonPlan.
// Every plan here is produced for real, on both engines (embedded PostgreSQL 18 and a PostgreSQL 15
// server), on generated rows: each shape is explained in TEXT and in FORMAT JSON, with and without
// ANALYZE and with BUFFERS/VERBOSE/SETTINGS/TIMING/SUMMARY/COSTS/WAL (and MEMORY/SERIALIZE on 17+)
// combinations, each run in its own transaction that is rolled back. The two trees are compared on what
// is deterministic between two executions, and every raw key is compared with JSON's of the same name.
// psql's decoration is read from psql itself, and built exactly as psql builds it.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine/index.js';
import { bufferKeys, parseJsonPlan, PlanParseError, walkPlan } from '../src/explain/parse-json.js';
import { parseTextPlan } from '../src/explain/parse-text.js';
import type { Plan, PlanNode } from '../src/explain/types.js';
import { describeServer, ENGINES, SERVER_URL } from './helpers/server.js';

const SCHEMA = `
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, region text NOT NULL, created date NOT NULL) WITH (autovacuum_enabled = false);
INSERT INTO customers SELECT g, 'customer ' || g, (ARRAY['north','south','east','west'])[1 + g % 4], date '2024-01-01' + (g % 365) FROM generate_series(1, 2000) g;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), amount numeric(10,2) NOT NULL, status text NOT NULL,
  created_at timestamp NOT NULL, note text) WITH (autovacuum_enabled = false);
INSERT INTO orders SELECT g, 1 + (g * 7919) % 2000, ((g * 37) % 10000) / 100.0,
  CASE WHEN g % 97 = 0 THEN 'rare' WHEN g % 3 = 0 THEN 'open' ELSE 'done' END,
  timestamp '2024-01-01' + (g % 1000) * interval '1 hour', CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || g END
FROM generate_series(1, 20000) g;
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_amount_idx ON orders (amount);
CREATE TABLE events (id int NOT NULL, kind text NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024_q1 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-04-01') WITH (autovacuum_enabled = false);
CREATE TABLE events_2024_q2 PARTITION OF events FOR VALUES FROM ('2024-04-01') TO ('2024-07-01') WITH (autovacuum_enabled = false);
CREATE TABLE events_2024_h2 PARTITION OF events FOR VALUES FROM ('2024-07-01') TO ('2025-01-01') WITH (autovacuum_enabled = false);
INSERT INTO events SELECT g, (ARRAY['click','view','buy'])[1 + g % 3], date '2024-01-01' + (g % 366) FROM generate_series(1, 6000) g;
CREATE INDEX events_kind_idx ON events (kind);
CREATE TABLE "Odd Name" ("Id" int PRIMARY KEY, v int) WITH (autovacuum_enabled = false);
INSERT INTO "Odd Name" SELECT g, g % 10 FROM generate_series(1, 500) g;
-- Written by the DML shapes (rolled back); nothing else reads them, so their growth moves no other plan.
CREATE TABLE ledger (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), amount numeric(10,2) NOT NULL, touched int NOT NULL DEFAULT 0)
  WITH (fillfactor = 50, autovacuum_enabled = false);
INSERT INTO ledger SELECT g, 1 + g % 2000, g % 100, 0 FROM generate_series(1, 3000) g;
CREATE INDEX ledger_customer_idx ON ledger (customer_id);
CREATE FUNCTION ledger_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
CREATE TRIGGER ledger_touch BEFORE UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_touch();
CREATE TABLE ledger_notes (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), body text NOT NULL) WITH (autovacuum_enabled = false);
`;

interface Shape {
  name: string;
  sql: string;
  /** SET LOCAL before the EXPLAIN (they show in SETTINGS). */
  settings?: string[];
  /** Node types the plan must contain, so each shape covers what it claims. */
  has: string[];
  /** More checks on the plan read from text. */
  check?: (nodes: PlanNode[]) => void;
  serverOnly?: boolean;
}

const PARALLEL = ['parallel_setup_cost = 0', 'parallel_tuple_cost = 0', 'min_parallel_table_scan_size = 0', 'min_parallel_index_scan_size = 0', 'max_parallel_workers_per_gather = 2'];
const some = (nodes: PlanNode[], test: (n: PlanNode) => boolean, what: string) => expect(nodes.some(test), what).toBe(true);

const SHAPES: Shape[] = [
  { name: 'seq scan with filter', sql: `SELECT id, amount FROM orders WHERE note LIKE '%7%' AND amount > 50`, has: ['Seq Scan'] },
  { name: 'index scan', sql: 'SELECT * FROM orders WHERE id = 42', has: ['Index Scan'] },
  {
    name: 'index scan backward under a limit',
    sql: 'SELECT * FROM orders ORDER BY id DESC LIMIT 5',
    has: ['Limit', 'Index Scan'],
    check: (nodes) => some(nodes, (n) => n.scanDirection === 'Backward', 'a backward scan'),
  },
  { name: 'index only scan', sql: 'SELECT id FROM orders WHERE id BETWEEN 100 AND 200', has: ['Index Only Scan'] },
  { name: 'bitmap heap scan over a BitmapOr', sql: `SELECT * FROM orders WHERE customer_id = 5 OR status = 'rare'`, has: ['Bitmap Heap Scan', 'BitmapOr', 'Bitmap Index Scan'] },
  {
    name: 'bitmap heap scan over a BitmapAnd',
    sql: `SELECT * FROM orders WHERE customer_id < 500 AND status = 'rare'`,
    settings: ['enable_seqscan = off', 'enable_indexscan = off'],
    has: ['Bitmap Heap Scan', 'BitmapAnd', 'Bitmap Index Scan'],
  },
  {
    name: 'hash join whose hash grows past work_mem',
    sql: 'SELECT * FROM customers c JOIN (SELECT * FROM orders WHERE amount * 2 = amount + amount) o ON o.customer_id = c.id',
    settings: [`work_mem = '64kB'`, 'hash_mem_multiplier = 1'],
    has: ['Hash Join', 'Hash'],
    check: (nodes) => some(nodes, (n) => n.actual === undefined || (n.hashBatches ?? 0) > (n.originalHashBatches ?? 0), 'batches beyond the original ones'),
  },
  {
    name: 'merge join under a hash aggregate',
    sql: `SELECT c.region, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.note LIKE '%7%' GROUP BY c.region`,
    settings: ['enable_hashjoin = off'],
    has: ['Aggregate', 'Merge Join', 'Sort', 'Index Scan', 'Seq Scan'],
    check: (nodes) => some(nodes, (n) => n.strategy === 'Hashed', 'a hashed aggregate'),
  },
  {
    name: 'nested loop with an index inner',
    sql: 'SELECT c.name, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id < 5',
    settings: ['enable_hashjoin = off', 'enable_mergejoin = off', 'enable_memoize = off'],
    has: ['Nested Loop'],
    check: (nodes) => some(nodes, (n) => n.parentRelationship === 'Inner' && /Index|Bitmap/.test(n.nodeType), 'an index on the inner side'),
  },
  {
    name: 'anti join',
    sql: `SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'rare')`,
    has: ['Hash Join'],
    check: (nodes) => some(nodes, (n) => /Anti/.test(n.joinType ?? ''), 'an anti join'),
  },
  {
    name: 'semi join',
    sql: 'SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 99)',
    has: ['Hash Join'],
    check: (nodes) => some(nodes, (n) => /Semi/.test(n.joinType ?? ''), 'a semi join'),
  },
  {
    name: 'left join',
    sql: `SELECT c.id, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.status = 'rare' WHERE c.region = 'east'`,
    has: ['Hash Join'],
    check: (nodes) => some(nodes, (n) => /Left|Right/.test(n.joinType ?? ''), 'an outer join'),
  },
  {
    name: 'group aggregate with a HAVING filter',
    sql: 'SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id HAVING sum(amount) > 300',
    settings: ['enable_hashagg = off'],
    has: ['Aggregate'],
    check: (nodes) => some(nodes, (n) => n.strategy === 'Sorted' && n.filter !== undefined, 'a sorted aggregate with a filter'),
  },
  {
    name: 'grouping sets (mixed aggregate)',
    sql: 'SELECT region, status, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY GROUPING SETS ((region), (status), ())',
    has: ['Aggregate', 'Hash Join'],
    check: (nodes) => some(nodes, (n) => n.strategy === 'Mixed', 'a mixed aggregate'),
  },
  {
    name: 'top-N sort under a limit',
    sql: 'SELECT * FROM orders ORDER BY note DESC LIMIT 10',
    has: ['Limit', 'Sort', 'Seq Scan'],
    check: (nodes) => some(nodes, (n) => n.actual === undefined || n.sortMethod === 'top-N heapsort', 'a top-N sort'),
  },
  {
    name: 'external sort on disk',
    sql: 'SELECT * FROM orders ORDER BY note, amount',
    settings: [`work_mem = '64kB'`],
    has: ['Sort'],
    check: (nodes) => some(nodes, (n) => n.actual === undefined || n.sortSpaceType === 'Disk', 'a sort on disk'),
  },
  { name: 'incremental sort', sql: 'SELECT customer_id, amount FROM orders WHERE customer_id < 100 ORDER BY customer_id, amount LIMIT 50', has: ['Limit', 'Incremental Sort'] },
  {
    name: 'CTE scan of a materialized CTE',
    sql: `WITH x AS MATERIALIZED (SELECT * FROM customers WHERE region = 'north') SELECT * FROM x JOIN orders o ON o.customer_id = x.id WHERE o.id < 100`,
    has: ['CTE Scan', 'Hash Join'],
    check: (nodes) => some(nodes, (n) => n.subplanName === 'CTE x' && n.parentRelationship === 'InitPlan', 'the CTE as an InitPlan'),
  },
  {
    name: 'InitPlan and SubPlan',
    sql: 'SELECT o.*, (SELECT max(amount) FROM orders) AS mx, (SELECT c.name FROM customers c WHERE c.id = o.customer_id) FROM orders o WHERE o.id < 5',
    has: ['Index Scan', 'Index Only Scan'],
    check: (nodes) => {
      some(nodes, (n) => n.parentRelationship === 'InitPlan' && /^InitPlan \d/.test(n.subplanName ?? ''), 'an InitPlan');
      some(nodes, (n) => n.parentRelationship === 'SubPlan' && /^SubPlan \d/.test(n.subplanName ?? ''), 'a SubPlan');
    },
  },
  {
    name: 'append over UNION ALL of partitioned tables',
    sql: `SELECT * FROM events WHERE at > '2024-06-01' AND kind = 'buy' UNION ALL SELECT id, 'x', at FROM events WHERE id < 10`,
    has: ['Append', 'Seq Scan'],
    check: (nodes) => some(nodes, (n) => n.parentRelationship === 'Member' && n.relation === 'events_2024_h2', 'a partition as an Append member'),
  },
  { name: 'merge append over partitions', sql: 'SELECT * FROM events ORDER BY kind LIMIT 5', has: ['Limit', 'Merge Append', 'Index Scan'] },
  {
    name: 'window function',
    sql: 'SELECT id, amount, rank() OVER (PARTITION BY customer_id ORDER BY amount DESC) FROM orders WHERE customer_id < 30',
    has: ['WindowAgg', 'Sort'],
  },
  {
    name: 'memoize',
    sql: `SELECT o.id, c.name FROM orders o JOIN customers c ON c.region = 'north' AND c.id = o.customer_id % 10 WHERE o.id < 200`,
    settings: ['enable_hashjoin = off', 'enable_mergejoin = off'],
    has: ['Nested Loop', 'Memoize'],
  },
  {
    name: 'materialize under a nested loop',
    sql: `SELECT o.id, x.v FROM orders o JOIN "Odd Name" x ON x.v > o.customer_id % 3 WHERE o.id < 20`,
    settings: ['enable_hashjoin = off', 'enable_mergejoin = off', 'enable_indexscan = off', 'enable_bitmapscan = off'],
    has: ['Nested Loop', 'Materialize'],
  },
  {
    name: 'recursive CTE',
    sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 50) SELECT count(*) FROM r',
    has: ['Recursive Union', 'WorkTable Scan', 'CTE Scan'],
  },
  { name: 'function scan', sql: 'SELECT g, g * 2 FROM generate_series(1, 100) g WHERE g % 7 = 0', has: ['Function Scan'], check: (nodes) => some(nodes, (n) => n.functionName === 'generate_series' && n.alias === 'g', 'the function') },
  { name: 'values scan', sql: `SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) AS v(id, name) WHERE id > 1`, has: ['Values Scan'], check: (nodes) => some(nodes, (n) => n.alias === '*VALUES*', 'the alias') },
  { name: 'subquery scan', sql: 'SELECT * FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id LIMIT 10) s WHERE n > 5', has: ['Subquery Scan', 'Limit'] },
  { name: 'unique over a sort', sql: 'SELECT DISTINCT status FROM (SELECT status FROM orders WHERE id < 100 ORDER BY status) s', has: ['Unique', 'Sort'] },
  { name: 'set operation', sql: `SELECT customer_id FROM orders WHERE id < 1000 EXCEPT SELECT id FROM customers WHERE region = 'north'`, has: ['SetOp'] },
  { name: 'project set', sql: 'SELECT id, unnest(ARRAY[1, 2, 3]) FROM customers WHERE id < 4', has: ['ProjectSet'] },
  { name: 'lock rows', sql: 'SELECT * FROM customers WHERE id < 10 FOR UPDATE', has: ['LockRows'] },
  {
    name: 'never executed',
    sql: 'SELECT * FROM orders WHERE id = -1 AND customer_id = (SELECT max(id) FROM customers)',
    has: ['Index Scan', 'Index Only Scan'],
    check: (nodes) => some(nodes, (n) => n.neverExecuted === true || !nodes.some((m) => m.actual), 'a node that never ran'),
  },
  { name: 'result with a one-time filter', sql: 'SELECT 1 WHERE false', has: ['Result'] },
  { name: 'tid scan', sql: `SELECT * FROM orders WHERE ctid = '(1,1)'`, has: ['Tid Scan'] },
  { name: 'sample scan', sql: 'SELECT count(*) FROM orders TABLESAMPLE SYSTEM (50) REPEATABLE (1)', has: ['Sample Scan'] },
  {
    name: 'quoted names and a disabled node',
    sql: `SELECT * FROM "Odd Name" "weird alias" WHERE v = 3`,
    settings: ['enable_seqscan = off'],
    has: ['Seq Scan'],
    check: (nodes) => some(nodes, (n) => n.relation === 'Odd Name' && n.alias === 'weird alias', 'the quoted names'),
  },
  {
    name: 'INSERT with a foreign-key trigger',
    sql: `INSERT INTO ledger_notes SELECT g, 1 + g % 50, 'note ' || g FROM generate_series(1, 40) g`,
    has: ['ModifyTable', 'Function Scan'],
  },
  {
    name: 'UPDATE with a row trigger',
    sql: 'UPDATE ledger SET amount = amount + 1 WHERE customer_id BETWEEN 10 AND 12',
    has: ['ModifyTable', 'Bitmap Heap Scan'],
  },
  {
    name: 'MERGE',
    sql: 'MERGE INTO ledger l USING (VALUES (1), (99999)) v(id) ON l.id = v.id WHEN MATCHED THEN UPDATE SET amount = l.amount + 1 WHEN NOT MATCHED THEN INSERT (id, customer_id, amount) VALUES (v.id, 1, 0)',
    has: ['ModifyTable', 'Nested Loop', 'Values Scan'],
  },
  {
    name: 'parallel aggregate',
    sql: `SELECT status, count(*), avg(amount) FROM orders WHERE note LIKE '%1%' GROUP BY status`,
    settings: PARALLEL,
    has: ['Gather Merge', 'Aggregate', 'Seq Scan'],
    check: (nodes) => {
      some(nodes, (n) => n.nodeType === 'Seq Scan' && n.parallelAware, 'a Parallel Seq Scan');
      some(nodes, (n) => n.raw['Partial Mode'] === 'Partial', 'a partial aggregate');
      some(nodes, (n) => n.raw['Partial Mode'] === 'Finalize', 'a finalize aggregate');
    },
    serverOnly: true,
  },
  {
    name: 'parallel hash join',
    sql: 'SELECT c.region, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.region',
    settings: PARALLEL,
    has: ['Hash Join', 'Hash'],
    check: (nodes) => some(nodes, (n) => n.nodeType === 'Gather' || n.nodeType === 'Gather Merge', 'a Gather'),
    serverOnly: true,
  },
  {
    name: 'JIT summary',
    sql: 'SELECT sum(amount) FROM orders WHERE amount > 1',
    settings: ['jit = on', 'jit_above_cost = 0', 'jit_inline_above_cost = 0', 'jit_optimize_above_cost = 0'],
    has: ['Aggregate', 'Seq Scan'],
    serverOnly: true,
  },
];

interface Variant {
  name: string;
  options: string[];
  minMajor?: number;
}

const VARIANTS: Variant[] = [
  { name: 'plain', options: [] },
  { name: 'analyze', options: ['ANALYZE'] },
  { name: 'analyze, buffers, verbose, settings', options: ['ANALYZE', 'BUFFERS', 'VERBOSE', 'SETTINGS'] },
  { name: 'verbose, costs off', options: ['VERBOSE', 'COSTS OFF'] },
  { name: 'analyze, timing off, summary off, costs off, buffers', options: ['ANALYZE', 'TIMING OFF', 'SUMMARY OFF', 'COSTS OFF', 'BUFFERS'] },
  { name: 'analyze, wal, buffers, settings', options: ['ANALYZE', 'WAL', 'BUFFERS', 'SETTINGS'] },
  { name: 'analyze, memory, serialize, verbose', options: ['ANALYZE', 'MEMORY', 'SERIALIZE', 'VERBOSE'], minMajor: 17 },
];

interface Explained {
  text: string;
  json: unknown;
}

/** The shape explained in TEXT and in JSON, each in a transaction that is rolled back. */
async function explainBoth(engine: Engine, shape: Shape, options: string[]): Promise<Explained> {
  const run = async (format: 'text' | 'json') => {
    const list = format === 'json' ? [...options, 'FORMAT JSON'] : options;
    const sql = list.length ? `EXPLAIN (${list.join(', ')}) ${shape.sql}` : `EXPLAIN ${shape.sql}`;
    await engine.exec('BEGIN');
    try {
      for (const setting of shape.settings ?? []) await engine.exec(`SET LOCAL ${setting}`);
      return (await engine.query<{ 'QUERY PLAN': unknown }>(sql)).rows;
    } finally {
      await engine.exec('ROLLBACK');
    }
  };
  const textRows = await run('text');
  const jsonRows = await run('json');
  return { text: textRows.map((row) => String(row['QUERY PLAN'])).join('\n'), json: jsonRows[0]['QUERY PLAN'] };
}

/**
 * Node ids inside a parallel part of the plan (a Gather and everything under it): their figures differ
 * run to run — even the Gather's own row count, since a partial aggregate emits one row per participant
 * that happened to get data.
 */
function parallelIds(plan: Plan): Set<number> {
  const ids = new Set<number>();
  const visit = (node: PlanNode, inside: boolean) => {
    const gather = node.nodeType === 'Gather' || node.nodeType === 'Gather Merge';
    if (inside || gather) ids.add(node.id);
    const below = inside || gather;
    node.children.forEach((child) => visit(child, below));
  };
  visit(plan.root, false);
  return ids;
}

/** What is deterministic between two executions of a plan, node by node, and the plan's top level. */
function projection(plan: Plan, withBuffers: boolean) {
  const parallel = parallelIds(plan);
  const parents = new Map<number, number>();
  for (const node of walkPlan(plan.root)) for (const child of node.children) parents.set(child.id, node.id);
  const nodes = walkPlan(plan.root).map((n) => {
    const base = {
      id: n.id,
      parent: parents.get(n.id),
      nodeType: n.nodeType,
      parentRelationship: n.parentRelationship,
      subplanName: n.subplanName,
      relation: n.relation,
      schema: n.schema,
      alias: n.alias,
      index: n.index,
      cte: n.cte,
      functionName: n.functionName,
      joinType: n.joinType,
      strategy: n.strategy,
      scanDirection: n.scanDirection,
      parallelAware: n.parallelAware,
      startupCost: n.startupCost,
      totalCost: n.totalCost,
      planRows: n.planRows,
      planWidth: n.planWidth,
      workersPlanned: n.workersPlanned,
      output: n.output,
      filter: n.filter,
      indexCond: n.indexCond,
      recheckCond: n.recheckCond,
      hashCond: n.hashCond,
      mergeCond: n.mergeCond,
      joinFilter: n.joinFilter,
      sortKey: n.sortKey,
      groupKey: n.raw['Group Key'],
      hasActual: n.actual !== undefined,
      hasActualTimes: 'Actual Total Time' in n.raw,
      hasBuffers: withBuffers ? n.buffers !== undefined : undefined,
      children: n.children.length,
    };
    if (parallel.has(n.id)) return base;
    return {
      ...base,
      loops: n.actual?.loops,
      actualRows: n.actual?.rows,
      neverExecuted: n.neverExecuted,
      rowsRemovedByFilter: n.rowsRemovedByFilter,
      rowsRemovedByJoinFilter: n.rowsRemovedByJoinFilter,
      rowsRemovedByIndexRecheck: n.rowsRemovedByIndexRecheck,
      sortMethod: n.sortMethod,
      sortSpaceType: n.sortSpaceType,
      hashBuckets: n.hashBuckets,
      hashBatches: n.hashBatches,
      originalHashBatches: n.originalHashBatches,
      heapFetches: n.heapFetches,
      exactHeapBlocks: n.exactHeapBlocks,
      lossyHeapBlocks: n.lossyHeapBlocks,
    };
  });
  const top = {
    analyzed: plan.analyzed,
    planningTime: plan.planningMs !== undefined,
    executionTime: plan.executionMs !== undefined,
    planningBuffers: withBuffers ? plan.planningBuffers !== undefined : undefined,
    settings: plan.settings,
    triggers: plan.triggers?.map((t) => ({ relation: t.relation, calls: t.calls, timed: t.timeMs > 0 })),
  };
  return { top, nodes };
}

/** Raw keys whose values change between two executions. */
const VOLATILE = new Set([
  'Actual Startup Time',
  'Actual Total Time',
  'Peak Memory Usage',
  'Sort Space Used',
  'Maximum Storage',
  'Disk Usage',
  'Workers Launched',
  'Workers',
  'Full-sort Groups',
  'Pre-sorted Groups',
]);
const COUNTERS = new Set([...bufferKeys().map(([, key]) => key), 'WAL Records', 'WAL FPI', 'WAL Bytes', 'WAL Buffers Full']);

/**
 * Raw keys where text and JSON disagree: every key FORMAT JSON printed must be there under the same name
 * with the same value, except for the documented JSON-only keys (parse-text.ts) and volatile figures.
 */
function rawDifferences(text: Plan, json: Plan, countersShown: { buffers: boolean; wal: boolean }): string[] {
  const parallel = parallelIds(json);
  const out: string[] = [];
  const jsonNodes = walkPlan(json.root);
  walkPlan(text.root).forEach((node, i) => {
    const other = jsonNodes[i];
    if (!other || parallel.has(i)) return;
    for (const key of new Set([...Object.keys(node.raw), ...Object.keys(other.raw)])) {
      if (key === 'Plans') continue;
      const a = node.raw[key];
      const b = other.raw[key];
      if (VOLATILE.has(key)) {
        // Compared for presence only; "Workers" is JSON-only when no worker reported anything.
        if (key !== 'Workers' && (a === undefined) !== (b === undefined)) out.push(`#${i} ${node.nodeType}: "${key}" only in ${a === undefined ? 'JSON' : 'text'}`);
        continue;
      }
      if (a === undefined && b === false && (key === 'Async Capable' || key === 'Disabled')) continue;
      if (a === undefined && key === 'Inner Unique') continue;
      if (COUNTERS.has(key)) {
        const shown = key.startsWith('WAL') ? countersShown.wal : countersShown.buffers;
        if (shown && (a === undefined) !== (b === undefined)) out.push(`#${i} ${node.nodeType}: "${key}" only in ${a === undefined ? 'JSON' : 'text'}`);
        if (!shown && b !== undefined && b !== 0) out.push(`#${i} ${node.nodeType}: "${key}" is ${String(b)} in JSON but text shows no counters`);
        continue;
      }
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`#${i} ${node.nodeType}: "${key}" text=${JSON.stringify(a)} json=${JSON.stringify(b)}`);
    }
  });
  return out;
}

for (const target of ENGINES) {
  describe(`text plans on ${target.name}`, () => {
    let engine: Engine;
    let major = 0;
    beforeAll(async () => {
      engine = await openEngine({ database: target.database, scratch: true, trusted: true });
      await engine.exec(SCHEMA);
      await engine.exec('VACUUM ANALYZE');
      major = (await engine.version()).major;
    }, 120_000);
    afterAll(() => engine?.close());

    for (const shape of SHAPES) {
      const run = shape.serverOnly && target.name !== 'server' ? it.skip : it;
      run(`${shape.name}: text and JSON give the same tree`, async () => {
        let covered = false;
        for (const variant of VARIANTS) {
          if (variant.minMajor && major < variant.minMajor) continue;
          const { text, json } = await explainBoth(engine, shape, variant.options);
          const fromText = parseTextPlan(text);
          const fromJson = parseJsonPlan(json);
          const context = `${shape.name} [${variant.name}]\n${text}`;
          const nodes = walkPlan(fromText.root);
          for (const type of shape.has) expect(nodes.map((n) => n.nodeType), context).toContain(type);
          shape.check?.(nodes);

          // Text prints only non-zero counters: with none shown it cannot tell that BUFFERS was on, and
          // JSON's counters must then all be 0.
          const countersShown = { buffers: /^\s*Buffers:/m.test(text), wal: /^\s*WAL:/m.test(text) };
          expect(projection(fromText, countersShown.buffers), context).toEqual(projection(fromJson, countersShown.buffers));
          expect(rawDifferences(fromText, fromJson, countersShown), context).toEqual([]);
          if (!countersShown.buffers) for (const node of walkPlan(fromJson.root)) expect(Object.values(node.buffers ?? {}).every((v) => v === 0), context).toBe(true);

          // A constraint trigger is named by its constraint unless VERBOSE; otherwise by its own name.
          const jsonTriggers = ((Array.isArray(json) ? json[0] : json) as { Triggers?: Array<Record<string, string>> }).Triggers ?? [];
          expect(fromText.triggers?.map((t) => t.name) ?? [], context).toEqual(
            jsonTriggers.map((t) => (variant.options.includes('VERBOSE') || !t['Constraint Name'] ? t['Trigger Name'] : t['Constraint Name'])),
          );
          if (variant.options.includes('ANALYZE')) expect(fromText.analyzed, context).toBe(true);
          if (/^Trigger /m.test(text)) covered = true;
        }
        if (shape.sql.startsWith('INSERT') || shape.sql.startsWith('UPDATE')) expect(covered, `${shape.name} fires a trigger`).toBe(true);
      });
    }

    it('reads psql-style decoration built exactly as psql builds it: header, dashes, leading space, "+" cells, footer', async () => {
      const shape = SHAPES.find((s) => s.name === 'InitPlan and SubPlan')!;
      const { text } = await explainBoth(engine, { ...shape, settings: ['enable_hashjoin = off'] }, ['ANALYZE', 'BUFFERS', 'VERBOSE', 'SETTINGS']);
      // Query Identifier shows when query ids are computed (pg_stat_statements loaded); the Planning: block
      // only when planning touched buffers (a warm catalog cache reads none).
      expect(text).toMatch(/\nSettings: .*\n(Query Identifier: -?\d+\n)?(Planning:\n  Buffers: .*\n)?Planning Time: .*\nExecution Time: /);
      const plain = parseTextPlan(text);
      expect(plain).toMatchObject({ settings: { enable_hashjoin: 'off' }, analyzed: true });
      expect(plain.planningMs).toBeGreaterThan(0);
      const rows = text.split('\n');
      // One row per line, as EXPLAIN returns it…
      expect(parseTextPlan(psqlAligned(rows))).toEqual(plain);
      // …or the whole plan as one multi-line cell, every line but the last ending in "+".
      const cell = psqlAligned([text]);
      expect(cell.split('\n')[2]).toMatch(/ \+$/);
      expect(parseTextPlan(cell)).toEqual(plain);
      // With chatter before the table and after it (psql -c "SET …" -c "EXPLAIN …").
      expect(parseTextPlan(`SET\nBEGIN\n${psqlAligned(rows)}\nROLLBACK\n`)).toEqual(plain);
      // Re-indented with an extra margin, or with CRLF line ends, it is the same tree.
      expect(parseTextPlan(rows.map((r) => `    ${r}`).join('\r\n'))).toEqual(plain);
      // Copied from a terminal: the table's lines without the header and footer, the first one without its
      // leading space.
      const copied = psqlAligned(rows).split('\n').slice(2, -3);
      copied[0] = copied[0].trimStart();
      expect(parseTextPlan(copied.join('\n'))).toEqual(plain);
    });
  });
}

/** psql's aligned format of a one-column result named "QUERY PLAN" (as psql 15 prints it). */
function psqlAligned(cells: string[]): string {
  const lines = cells.flatMap((cell) => cell.split('\n'));
  const width = Math.max('QUERY PLAN'.length, ...lines.map((line) => line.length));
  const left = Math.floor((width - 'QUERY PLAN'.length) / 2);
  const out = [` ${' '.repeat(left)}QUERY PLAN${' '.repeat(width - 'QUERY PLAN'.length - left)} `, '-'.repeat(width + 2)];
  for (const cell of cells) {
    const parts = cell.split('\n');
    parts.forEach((part, i) => out.push(i < parts.length - 1 ? ` ${part.padEnd(width)}+` : ` ${part}`));
  }
  out.push(`(${cells.length} ${cells.length === 1 ? 'row' : 'rows'})`, '', '');
  return out.join('\n');
}

const psqlFound = spawnSync('psql', ['--version']).status === 0;
if (!psqlFound && process.env.CI) throw new Error('CI=true but psql is not installed: the psql decoration tests need it');
if (!psqlFound) console.warn('[pgarch tests] skipping psql decoration tests: psql is not installed');

describeServer('text plans printed by psql itself', () => {
  const run = psqlFound ? it : it.skip;
  // psql sessions make their own temp tables: the rows are the same each time, so two sessions explain the same plan.
  const SETUP = `CREATE TEMP TABLE pc (id int PRIMARY KEY, region text NOT NULL);
INSERT INTO pc SELECT g, (ARRAY['north','south'])[1 + g % 2] FROM generate_series(1, 500) g;
CREATE TEMP TABLE po (id int PRIMARY KEY, pc_id int NOT NULL, amount int NOT NULL);
INSERT INTO po SELECT g, 1 + g % 500, g % 1000 FROM generate_series(1, 5000) g;
ANALYZE pc; ANALYZE po;`;
  const QUERY = `SELECT pc.region, count(*), (SELECT max(amount) FROM po) FROM po JOIN pc ON pc.id = po.pc_id WHERE po.amount > 10 GROUP BY pc.region`;
  const psql = (...args: string[]) =>
    execFileSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', SERVER_URL, '-c', 'SET enable_hashjoin = off', '-c', SETUP, ...args], { encoding: 'utf8' });

  run('aligned output (chatter, header, dashes, leading space, footer) gives the JSON tree', () => {
    const options = 'ANALYZE, BUFFERS, VERBOSE, SETTINGS';
    const out = psql('-c', `EXPLAIN (${options}) ${QUERY}`);
    expect(out).toMatch(/^SET\n/);
    expect(out).toMatch(/\n\s+QUERY PLAN\s*\n-+\n /);
    expect(out).toMatch(/\n\(\d+ rows\)\n/);
    const jsonOut = psql('-c', `EXPLAIN (${options}, FORMAT JSON) ${QUERY}`);
    const fromText = parseTextPlan(out);
    const fromJson = parseJsonPlan(jsonOut);
    expect(walkPlan(fromText.root).map((n) => n.nodeType)).toEqual(expect.arrayContaining(['Aggregate', 'Nested Loop', 'Memoize', 'Seq Scan']));
    expect(walkPlan(fromText.root).some((n) => n.parentRelationship === 'InitPlan')).toBe(true);
    expect(fromText.settings).toEqual({ enable_hashjoin: 'off' });
    expect(projection(fromText, true)).toEqual(projection(fromJson, true));
    expect(rawDifferences(fromText, fromJson, { buffers: true, wal: false })).toEqual([]);
  });

  run('psql -A, psql -x, and a multi-line cell with "+" all read as the aligned output does', () => {
    const aligned = parseTextPlan(psql('-c', `EXPLAIN (VERBOSE) ${QUERY}`));
    expect(parseTextPlan(psql('-A', '-c', `EXPLAIN (VERBOSE) ${QUERY}`))).toEqual(aligned);
    expect(parseTextPlan(psql('-x', '-c', `EXPLAIN (VERBOSE) ${QUERY}`))).toEqual(aligned);
    const cell = psql(
      '-c',
      `CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN (VERBOSE) ' || q; END $$`,
      '-c',
      `SELECT string_agg(p, E'\\n') AS "QUERY PLAN" FROM pg_temp.plan($q$${QUERY}$q$) p`,
    );
    expect(cell).toMatch(/\+\n/);
    expect(cell).toMatch(/\n\(1 row\)\n/);
    expect(parseTextPlan(cell)).toEqual(aligned);
  });

  run('psqlAligned() builds what psql prints, byte for byte', async () => {
    const out = execFileSync('psql', ['-X', SERVER_URL, '-c', 'EXPLAIN (COSTS OFF) SELECT relname FROM pg_class WHERE relname = $$x$$ ORDER BY 1'], { encoding: 'utf8' });
    const engine = await openEngine({ database: SERVER_URL });
    try {
      const { rows } = await engine.query<{ 'QUERY PLAN': string }>('EXPLAIN (COSTS OFF) SELECT relname FROM pg_class WHERE relname = $$x$$ ORDER BY 1');
      expect(psqlAligned(rows.map((r) => r['QUERY PLAN']))).toBe(out);
    } finally {
      await engine.close();
    }
  });
});

describe('text plans that are not plans, or are unusual', () => {
  const error = (text: string) => {
    try {
      parseTextPlan(text);
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it('throws PlanParseError naming the line for input that is not a plan', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /no plan lines/],
      ['hello world', /^line 1: not an EXPLAIN plan/],
      ['ERROR:  relation "nope" does not exist\nLINE 1: EXPLAIN SELECT * FROM nope', /^line 1: not an EXPLAIN plan/],
      ['                QUERY PLAN\n-----------------\n not a plan at all\n(1 row)\n', /^line 3: not an EXPLAIN plan/],
      ['[{"Plan": {"Node Type": "Result"}}]', /^line 1: .*FORMAT JSON/],
      ['Seq Scan on t  (cost=abc..def rows=1 width=4)', /^line 1: cannot read the figures/],
      ['Limit  (cost=0.00..1.00 rows=1 width=4)\n  ->', /^line 2: "->" without a plan node/],
      ['Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\nPlanning Time: 0.1 ms\n  ->  Seq Scan on u  (cost=0.00..1.00 rows=1 width=4)', /^line 3: a plan node \("->"\) after the plan's summary/],
    ];
    for (const [text, message] of cases) {
      const e = error(text);
      expect(e, text).toBeInstanceOf(PlanParseError);
      expect((e as Error).message, text).toMatch(message);
    }
  });

  it('keeps lines it does not know instead of failing', () => {
    const plan = parseTextPlan(
      [
        'Custom Scan (Citus Adaptive)  (cost=0.00..0.00 rows=100000 width=8)',
        '  Task Count: 32',
        '  Tasks Shown: One of 32',
        '  something without a label',
        '  ->  Task',
        '        Node: host=localhost port=9701 dbname=app',
        '        ->  Async Foreign Scan on remote_t r  (cost=100.00..150.00 rows=10 width=4)',
      ].join('\n'),
    );
    expect(plan.root.nodeType).toBe('Custom Scan');
    expect(plan.root.raw).toMatchObject({ 'Custom Plan Provider': 'Citus Adaptive', 'Task Count': 32, 'Tasks Shown': 'One of 32', 'Unparsed Lines': ['something without a label'] });
    const task = plan.root.children[0];
    expect(task).toMatchObject({ nodeType: 'Task', parentRelationship: 'child' });
    expect(task.raw.Node).toBe('host=localhost port=9701 dbname=app');
    expect(task.children[0]).toMatchObject({ nodeType: 'Foreign Scan', relation: 'remote_t', alias: 'r', totalCost: 150 });
    expect(task.children[0].raw).toMatchObject({ 'Async Capable': true, Operation: 'Select' });
  });

  it('reads the variants of other PostgreSQL versions and options these engines do not print', () => {
    // PostgreSQL 13–15 "I/O Timings", 16+ scoped ones, WAL, lossy bitmaps, a trigger on a named relation,
    // a PostgreSQL 13 ModifyTable, pruned partitions, and parallel workers without VERBOSE.
    const plan = parseTextPlan(
      [
        ' Update on public.t  (cost=0.00..35.50 rows=0 width=0) (actual time=1.000..1.000 rows=0 loops=1)',
        '   Update on public.t_1 t',
        '   Update on public.t_2 t',
        '   WAL: records=3 fpi=1 bytes=500',
        '   I/O Timings: read=1.500 write=0.250',
        '   ->  Append  (cost=0.00..35.50 rows=10 width=10) (actual time=0.100..0.200 rows=3 loops=1)',
        '         Subplans Removed: 2',
        '         ->  Bitmap Heap Scan on public.t_1 t  (cost=1.00..20.00 rows=5 width=10) (actual time=0.100..0.150 rows=3 loops=1)',
        '               Recheck Cond: (t.a > 1)',
        '               Rows Removed by Index Recheck: 7',
        '               Heap Blocks: exact=10 lossy=20',
        '               I/O Timings: shared read=0.125, temp read=0.500 write=0.750',
        '               ->  Bitmap Index Scan on "T_idx"  (cost=0.00..1.00 rows=5 width=0) (actual time=0.010..0.010 rows=30 loops=1)',
        '                     Index Cond: (t.a > 1)',
        '         ->  Gather  (cost=0.00..15.00 rows=5 width=10) (actual time=0.100..0.150 rows=0 loops=1)',
        '               Workers Planned: 2',
        '               Workers Launched: 2',
        '               ->  Parallel Seq Scan on public.t_2 t  (cost=0.00..15.00 rows=2 width=10) (actual time=0.010..0.020 rows=0 loops=3)',
        '                     Filter: (t.a > 1)',
        '                     Worker 0:  actual time=0.010..0.020 rows=0 loops=1',
        '                       Buffers: shared hit=1',
        '                     Worker 1:  actual time=0.010..0.020 rows=0 loops=1',
        ' Planning Time: 0.100 ms',
        ' Trigger t_audit on t_1: time=0.500 calls=3',
        ' Trigger RI_ConstraintTrigger_c_1 for constraint t_fk on t_2: time=0.250 calls=1',
        ' Execution Time: 1.500 ms',
      ].join('\n'),
    );
    const [update, append, bitmap, index, gather, scan] = walkPlan(plan.root);
    expect(update.raw).toMatchObject({
      'Node Type': 'ModifyTable',
      Operation: 'Update',
      'Relation Name': 't',
      Schema: 'public',
      Alias: 't',
      'Target Tables': [
        { 'Relation Name': 't_1', Schema: 'public', Alias: 't' },
        { 'Relation Name': 't_2', Schema: 'public', Alias: 't' },
      ],
      'WAL Records': 3,
      'WAL FPI': 1,
      'WAL Bytes': 500,
      'I/O Read Time': 1.5,
      'I/O Write Time': 0.25,
    });
    expect(append).toMatchObject({ nodeType: 'Append', parentRelationship: 'Outer' });
    expect(append.raw['Subplans Removed']).toBe(2);
    expect(bitmap).toMatchObject({ parentRelationship: 'Member', rowsRemovedByIndexRecheck: 7, exactHeapBlocks: 10, lossyHeapBlocks: 20 });
    expect(bitmap.raw).toMatchObject({ 'Shared I/O Read Time': 0.125, 'Temp I/O Read Time': 0.5, 'Temp I/O Write Time': 0.75 });
    expect(index).toMatchObject({ nodeType: 'Bitmap Index Scan', index: 'T_idx', parentRelationship: 'Outer' });
    expect(gather).toMatchObject({ nodeType: 'Gather', workersPlanned: 2, workersLaunched: 2 });
    expect(gather.raw['Single Copy']).toBe(false);
    expect(scan).toMatchObject({ nodeType: 'Seq Scan', parallelAware: true, rowsRemovedByFilter: 0, actual: { rows: 0, loops: 3 } });
    expect(scan.raw.Workers).toEqual([
      { 'Worker Number': 0, 'Actual Startup Time': 0.01, 'Actual Total Time': 0.02, 'Actual Rows': 0, 'Actual Loops': 1, ...zeroBuffers(), 'Shared Hit Blocks': 1 },
      { 'Worker Number': 1, 'Actual Startup Time': 0.01, 'Actual Total Time': 0.02, 'Actual Rows': 0, 'Actual Loops': 1 },
    ]);
    expect(plan.triggers).toEqual([
      { name: 't_audit', relation: 't_1', timeMs: 0.5, calls: 3 },
      { name: 'RI_ConstraintTrigger_c_1', relation: 't_2', timeMs: 0.25, calls: 1 },
    ]);
    expect(plan).toMatchObject({ analyzed: true, planningMs: 0.1, executionMs: 1.5 });
  });

  it('reads settings whose values hold commas and quotes', () => {
    const plan = parseTextPlan(`Result  (cost=0.00..0.01 rows=1 width=4)\nSettings: search_path = '"$user", public', work_mem = '64kB', random_page_cost = '1.1'`);
    expect(plan.settings).toEqual({ search_path: '"$user", public', work_mem: '64kB', random_page_cost: '1.1' });
  });
});

function zeroBuffers(): Record<string, number> {
  return Object.fromEntries(bufferKeys().map(([, key]) => [key, 0]));
}
