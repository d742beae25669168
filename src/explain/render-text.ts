// The terminal view of an explained query: the plan as an indented tree with each node's own time and
// share, rows estimated → actual, and a marker on the nodes an insight is about; then the insights.
import pc from 'picocolors';
import type { Finding } from '../types.js';
import type { ExplainedQuery, ExplainReport } from './explain.js';
import { describeNode } from './timing.js';
import type { NodeTiming, PlanNode } from './types.js';

export interface RenderOptions {
  color?: boolean;
  quiet?: boolean;
}

export function formatExplainText(report: ExplainReport, options: RenderOptions = {}): string {
  const c = pc.createColors(Boolean(options.color));
  const blocks: string[] = [];
  for (const explained of report.plans) blocks.push(formatPlan(options.quiet ? { ...explained, findings: explained.findings.filter((f) => f.severity === 'error') } : explained, c));
  // Findings without a plan (a query that failed, a schema file that did not apply).
  const loose = report.findings.filter((f) => f.planNode === undefined && (!options.quiet || f.severity === 'error'));
  if (loose.length) blocks.push(loose.map((f) => findingLines(f, c, '')).join('\n'));
  const { errors, warnings, infos } = report.summary;
  const plans = report.plans.length;
  blocks.push(
    c.dim(`${plans} plan${plans === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${infos} info${report.engine ? ` · ${report.engine}` : ''} · ${report.summary.elapsedMs} ms`),
  );
  return blocks.join('\n\n');
}

type Colors = ReturnType<typeof pc.createColors>;

function formatPlan(explained: ExplainedQuery, c: Colors): string {
  const { plan, timings, findings } = explained;
  const lines: string[] = [];
  const where = explained.location?.file ? `${explained.location.file}${explained.location.line ? `:${explained.location.line}:${explained.location.column}` : ''}` : undefined;
  if (explained.query) lines.push(`${c.bold('Query')}${where ? c.dim(` (${where})`) : ''}: ${oneLine(explained.query)}`);
  else if (where) lines.push(`${c.bold('Plan')} ${c.dim(where)}`);
  const facts: string[] = [];
  if (plan.executionMs !== undefined) facts.push(`execution ${ms(plan.executionMs)}`);
  if (plan.planningMs !== undefined) facts.push(`planning ${ms(plan.planningMs)}`);
  if (!plan.analyzed) facts.push(explained.generic ? 'generic plan (parameters without values): estimates only' : 'not executed: estimates only');
  if (plan.settings) facts.push(`settings ${Object.entries(plan.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (facts.length) lines.push(c.dim(facts.join(' · ')));
  lines.push('');
  const byNode = new Map<number, Finding[]>();
  for (const f of findings) if (f.planNode !== undefined) byNode.set(f.planNode, [...(byNode.get(f.planNode) ?? []), f]);
  const header = plan.analyzed ? `${pad('self ms', 9)} ${pad('self%', 6)} ${pad('rows est→act', 17)} ${pad('loops', 6)}  node` : `${pad('cost', 19)} ${pad('rows', 9)}  node`;
  lines.push(c.dim(header));
  const walk = (node: PlanNode, prefix: string, childPrefix: string) => {
    lines.push(nodeLine(node, timings[node.id], prefix, byNode.get(node.id) ?? [], plan.analyzed, c));
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      walk(child, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(plan.root, '', '');
  if (findings.length) {
    lines.push('');
    for (const f of findings) lines.push(findingLines(f, c, f.planNode !== undefined ? `#${f.planNode} ` : ''));
  }
  return lines.join('\n');
}

function nodeLine(node: PlanNode, timing: NodeTiming | undefined, prefix: string, insights: Finding[], analyzed: boolean, c: Colors): string {
  let left: string;
  if (analyzed) {
    const share = timing?.exclusiveShare ?? 0;
    const shareText = pad(`${(share * 100).toFixed(1)}%`, 6);
    const time = pad(node.actual ? (timing?.exclusiveMs ?? 0).toFixed(2) : '-', 9);
    const rows = node.actual ? `${count(node.planRows)}→${count(node.actual.rows)}` : node.neverExecuted ? 'never executed' : '';
    const off = timing?.rowsRatio !== undefined && (timing.rowsRatio >= 10 || timing.rowsRatio <= 0.1) && Math.max(node.planRows, node.actual?.rows ?? 0) >= 100;
    left = `${share >= 0.3 ? c.red(time) : share >= 0.1 ? c.yellow(time) : time} ${share >= 0.3 ? c.red(shareText) : shareText} ${off ? c.yellow(pad(rows, 17)) : pad(rows, 17)} ${pad(node.actual ? String(node.actual.loops) : '', 6)}`;
  } else {
    left = `${pad(`${node.startupCost.toFixed(2)}..${node.totalCost.toFixed(2)}`, 19)} ${pad(count(node.planRows), 9)}`;
  }
  const details = nodeDetails(node);
  const marker = insights.length ? ` ${c.yellow(`⚠ ${insights.map((f) => f.rule).join(', ')}`)}` : '';
  return `${left}  ${c.dim(`#${node.id}`)} ${prefix}${c.bold(describeNode(node))}${details ? c.dim(`  ${details}`) : ''}${marker}`;
}

/** The one or two facts that explain a node at a glance. */
function nodeDetails(node: PlanNode): string {
  const parts: string[] = [];
  if (node.joinType && node.joinType !== 'Inner') parts.push(node.joinType);
  const cond = node.hashCond ?? node.mergeCond ?? node.indexCond ?? node.recheckCond;
  if (cond) parts.push(cond);
  if (node.joinFilter) parts.push(`join filter ${node.joinFilter}`);
  if (node.filter) parts.push(`filter ${node.filter}${node.rowsRemovedByFilter ? ` (−${count(node.rowsRemovedByFilter)}/loop)` : ''}`);
  if (node.sortKey) parts.push(`by ${node.sortKey.join(', ')}`);
  if (node.sortMethod) parts.push(`${node.sortMethod}${node.sortSpaceUsedKb !== undefined ? ` ${node.sortSpaceUsedKb}kB ${node.sortSpaceType?.toLowerCase() ?? ''}`.trimEnd() : ''}`);
  if (node.hashBatches && node.hashBatches > 1) parts.push(`${node.hashBatches} batches`);
  if (node.heapFetches) parts.push(`heap fetches ${count(node.heapFetches)}`);
  if (node.lossyHeapBlocks) parts.push(`lossy blocks ${count(node.lossyHeapBlocks)}`);
  return parts.join(' · ');
}

function findingLines(f: Finding, c: Colors, prefix: string): string {
  const color = f.severity === 'error' ? c.red : f.severity === 'warning' ? c.yellow : c.cyan;
  const loc = f.location?.line ? c.dim(`${f.location.file ?? '<query>'}:${f.location.line}:${f.location.column}  `) : '';
  const lines = [`${loc}${color(f.severity)} ${c.bold(f.rule)} ${c.dim(prefix)}${f.message}`];
  if (f.hint) lines.push(`    ${c.dim('hint:')} ${f.hint}`);
  if (f.fix) lines.push(`    ${c.dim('fix:')} ${f.fix.sql.split('\n').join('\n         ')}`);
  return lines.join('\n');
}

const pad = (text: string, width: number) => text.padStart(width);
const ms = (value: number) => `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ms`;
const count = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2));
const oneLine = (sql: string) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}…` : flat;
};
