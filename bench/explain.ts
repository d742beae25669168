// Plan analysis on a 5,000-node plan: the plan is produced for real (EXPLAIN ANALYZE on PGlite of a
// UNION ALL of 1,250 joins), then pgarch's work on it is timed: JSON → typed tree → timings →
// insights; also the psql text form → tree, and the HTML page. Target: analysis < 50 ms.
// Baseline in the same process: JSON.parse of the same plan (the least any tool reading it must do).
import { analyzePlan } from '../dist/explain/analyze.js';
import { renderPlanHtml } from '../dist/explain/html.js';
import { parseJsonPlan, walkPlan } from '../dist/explain/parse-json.js';
import { parseTextPlan } from '../dist/explain/parse-text.js';
import { openEngine } from '../dist/engine/index.js';
import { bestOf, writeResult } from './util.js';

export const EXPLAIN_BRANCHES = 1250;
export const EXPLAIN_TARGET_MS = 50;

/** A query whose plan has ~4 nodes per branch (Hash Join, two scans, Hash) under one Append. */
export function bigPlanQuery(branches = EXPLAIN_BRANCHES): string {
  return Array.from({ length: branches }, (_, i) => `SELECT o.id FROM bench_orders o JOIN bench_customers c ON c.id = o.customer_id WHERE o.total > ${i} AND c.region = ${i % 10}`).join('\nUNION ALL\n');
}

export async function benchExplain(): Promise<void> {
  const engine = await openEngine();
  let json: string;
  let text: string;
  try {
    await engine.exec(`
      CREATE TABLE bench_customers (id int PRIMARY KEY, region int NOT NULL);
      CREATE TABLE bench_orders (id int PRIMARY KEY, customer_id int NOT NULL, total int NOT NULL);
      INSERT INTO bench_customers SELECT g, g % 10 FROM generate_series(1, 200) g;
      INSERT INTO bench_orders SELECT g, 1 + g % 200, g % 5000 FROM generate_series(1, 400) g;
      ANALYZE;`);
    const query = bigPlanQuery();
    const explained = await engine.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON) ${query}`);
    const value = explained.rows[0]['QUERY PLAN'];
    json = typeof value === 'string' ? value : JSON.stringify(value);
    const textRows = await engine.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, VERBOSE) ${query}`);
    text = textRows.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await engine.close();
  }
  const nodes = walkPlan(parseJsonPlan(json).root).length;
  let findings = 0;
  const baselineMs = await bestOf(7, () => JSON.parse(json));
  const analyzeMs = await bestOf(7, () => {
    findings = analyzePlan(parseJsonPlan(json)).findings.length;
  });
  const textMs = await bestOf(7, () => analyzePlan(parseTextPlan(text)));
  const analysis = analyzePlan(parseJsonPlan(json));
  let htmlBytes = 0;
  const htmlMs = await bestOf(5, () => {
    htmlBytes = renderPlanHtml(analysis).length;
  });
  console.log(`explain: ${nodes.toLocaleString('en')}-node plan (${(json.length / 1e6).toFixed(1)} MB JSON), ${findings} insights`);
  console.log(`    JSON → tree → insights  ${analyzeMs.toFixed(1)} ms (target < ${EXPLAIN_TARGET_MS}) — ${(analyzeMs / baselineMs).toFixed(1)}x a bare JSON.parse (${baselineMs.toFixed(1)} ms)`);
  console.log(`    psql text → tree → insights  ${textMs.toFixed(1)} ms`);
  console.log(`    HTML page  ${htmlMs.toFixed(1)} ms (${(htmlBytes / 1e6).toFixed(1)} MB)`);
  writeResult('explain', { nodes, jsonBytes: json.length, findings, analyzeMs, jsonParseMs: baselineMs, textMs, htmlMs, htmlBytes, targetMs: EXPLAIN_TARGET_MS });
}
