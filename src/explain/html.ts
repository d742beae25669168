// A plan analysis → one self-contained HTML page (`pgarch explain --html`): the query, the insights, and
// the plan as a collapsible tree with each node's own time as a bar. Inline CSS and JS only; nothing is
// fetched. Every piece of plan text is user data (filter literals, names, the query itself), so all of it
// goes through escapeHtml, none of it reaches the script, and a Content-Security-Policy that admits only
// the page's own script (by hash) backs that up.
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../types.js';
import type { PlanAnalysis } from './analyze.js';
import { walkPlan } from './parse-json.js';
import { describeNode } from './timing.js';
import type { Buffers, NodeTiming, PlanNode } from './types.js';

export interface PlanHtmlOptions {
  /** Page title; "Query plan" by default. */
  title?: string;
  /** The query the plan is for; falls back to plan.query. */
  query?: string;
}

/** Plans with at most this many nodes open every subtree; larger ones open the top levels only. */
const OPEN_ALL_MAX_NODES = 60;
/** Depth (root = 0) down to which subtrees of a large plan start open. */
const OPEN_DEPTH = 3;
/** A row estimate off by this factor or more is flagged. */
const MISESTIMATE_FACTOR = 10;

const SEVERITY_LABEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info' };
const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info'];

export function renderPlanHtml(analysis: PlanAnalysis, options: PlanHtmlOptions = {}): string {
  const { plan, timings, findings } = analysis;
  const nodes = walkPlan(plan.root);
  const byNode = new Map<number, Finding[]>();
  for (const finding of findings) {
    if (finding.planNode === undefined) continue;
    const list = byNode.get(finding.planNode) ?? [];
    list.push(finding);
    byNode.set(finding.planNode, list);
  }
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const title = options.title ?? 'Query plan';
  const query = options.query ?? plan.query;

  // Which subtrees start open: all of a small plan; the top levels of a large one, plus the way to the
  // node that took the most time and to every node with an insight.
  const openChildren = new Set<number>();
  if (nodes.length <= OPEN_ALL_MAX_NODES) nodes.forEach((n) => openChildren.add(n.id));
  else {
    const parents = new Map<number, number>();
    const depth = new Map<number, number>();
    const visit = (node: PlanNode, d: number) => {
      depth.set(node.id, d);
      for (const child of node.children) {
        parents.set(child.id, node.id);
        visit(child, d + 1);
      }
    };
    visit(plan.root, 0);
    for (const n of nodes) if ((depth.get(n.id) ?? 0) < OPEN_DEPTH) openChildren.add(n.id);
    const reveal = (id: number) => {
      for (let p = parents.get(id); p !== undefined; p = parents.get(p)) openChildren.add(p);
    };
    const hottest = hottestNodes(nodes, timings, 1)[0];
    if (hottest) reveal(hottest.id);
    for (const id of byNode.keys()) reveal(id);
  }

  const ctx: RenderContext = { timings, byNode, openChildren, analyzed: plan.analyzed, limited: limitedNodes(plan.root) };
  const body = [
    renderHeader(title, query, analysis, nodes.length),
    renderInsights(findings, nodeById),
    renderHotspots(nodes, timings, plan.analyzed),
    renderPlanTree(plan.root, ctx),
  ].join('\n');

  const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${scriptHash}'`,
    "style-src 'unsafe-inline'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="pgarch">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
<noscript><style>.plan [hidden]{display:block!important}.twisty,.toolbar{display:none!important}</style></noscript>
</head>
<body>
<main>
${body}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

interface RenderContext {
  timings: NodeTiming[];
  byNode: Map<number, Finding[]>;
  openChildren: Set<number>;
  analyzed: boolean;
  /** Nodes whose output a Limit above cut short: fewer rows than estimated is expected there. */
  limited: Set<number>;
}

/** Nodes that pass rows through (one child, streaming): a Limit above them stops their input early too. */
const PASS_THROUGH = new Set(['Result', 'Subquery Scan', 'Gather', 'Gather Merge', 'Unique', 'Materialize', 'Memoize', 'ProjectSet']);

/** The child of every Limit, and on down through pass-through nodes: their row counts stop where the Limit did. */
function limitedNodes(root: PlanNode): Set<number> {
  const out = new Set<number>();
  const visit = (node: PlanNode, limited: boolean) => {
    if (limited) out.add(node.id);
    for (const child of node.children) {
      const direct = node.nodeType === 'Limit' && child.parentRelationship !== 'InitPlan' && child.parentRelationship !== 'SubPlan';
      visit(child, direct || (limited && PASS_THROUGH.has(node.nodeType) && child.parentRelationship === 'Outer'));
    }
  };
  visit(root, false);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Header, insights, hotspots

function renderHeader(title: string, query: string | undefined, analysis: PlanAnalysis, nodeCount: number): string {
  const { plan, findings } = analysis;
  const facts: Array<[string, string]> = [];
  if (plan.executionMs !== undefined) facts.push(['Execution', formatMs(plan.executionMs)]);
  if (plan.planningMs !== undefined) facts.push(['Planning', formatMs(plan.planningMs)]);
  if (plan.planningBuffers && (plan.planningBuffers.sharedHit || plan.planningBuffers.sharedRead)) {
    facts.push(['Planning buffers', `hit ${formatInt(plan.planningBuffers.sharedHit)} · read ${formatInt(plan.planningBuffers.sharedRead)}`]);
  }
  facts.push(['Nodes', formatInt(nodeCount)]);
  facts.push(['Insights', formatInt(findings.length)]);
  if (plan.engine) facts.push(['Engine', plan.engine]);
  if (!plan.analyzed) facts.push(['Mode', 'EXPLAIN without ANALYZE: estimates only']);
  const factHtml = facts
    .map(([k, v]) => `<div class="fact"><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`)
    .join('');
  const parts = [`<header class="page-head">`, `<h1>${escapeHtml(title)}</h1>`, `<dl class="facts">${factHtml}</dl>`];
  if (query !== undefined && query.trim() !== '') {
    parts.push(`<section class="query" aria-label="Query"><h2>Query</h2><pre class="sql" data-query>${escapeHtml(query.trim())}</pre></section>`);
  }
  const extras: string[] = [];
  if (plan.settings && Object.keys(plan.settings).length) {
    const rows = Object.entries(plan.settings)
      .map(([k, v]) => `<li><code>${escapeHtml(k)} = ${escapeHtml(v)}</code></li>`)
      .join('');
    extras.push(`<div class="extra"><h3>Non-default settings</h3><ul class="settings">${rows}</ul></div>`);
  }
  if (plan.triggers?.length) {
    const rows = plan.triggers
      .map(
        (t) =>
          `<li><code>${escapeHtml(t.name)}</code>${t.relation ? ` on <code>${escapeHtml(t.relation)}</code>` : ''}: ${escapeHtml(formatMs(t.timeMs))}, ${escapeHtml(formatInt(t.calls))} calls</li>`,
      )
      .join('');
    extras.push(`<div class="extra"><h3>Triggers</h3><ul>${rows}</ul></div>`);
  }
  if (extras.length) parts.push(`<div class="extras">${extras.join('')}</div>`);
  parts.push(`</header>`);
  return parts.join('\n');
}

function renderInsights(findings: Finding[], nodeById: Map<number, PlanNode>): string {
  const counts = SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const countHtml = counts.map(([s, n]) => `<span class="pill sev-${s}">${n} ${SEVERITY_LABEL[s]}${n === 1 ? '' : 's'}</span>`).join(' ');
  const head = `<h2 id="insights-title">Insights ${countHtml}</h2>`;
  if (!findings.length) {
    return `<section class="insights" aria-labelledby="insights-title">${head}<p class="none">No insights: nothing in this plan was flagged.</p></section>`;
  }
  const items = findings
    .map((f) => {
      const node = f.planNode !== undefined ? nodeById.get(f.planNode) : undefined;
      const link = node
        ? `<a class="goto" href="#node-${node.id}" data-goto="${node.id}">${escapeHtml(describeNode(node))} <span class="node-num">#${node.id}</span></a>`
        : '';
      return `<li class="insight sev-${severityOf(f.severity)}" data-rule="${escapeHtml(f.rule)}"${node ? ` data-node="${node.id}"` : ''}>${renderFindingBody(f, link)}</li>`;
    })
    .join('\n');
  return `<section class="insights" aria-labelledby="insights-title">${head}<ol class="insight-list">\n${items}\n</ol></section>`;
}

/** One insight: severity, rule, message, hint, fix; `link` (to its node) goes on the first line. */
function renderFindingBody(f: Finding, link: string): string {
  const severity = severityOf(f.severity);
  const parts = [
    `<div class="insight-head"><span class="badge sev-${severity}">${SEVERITY_LABEL[severity]}</span> <code class="rule">${escapeHtml(f.rule)}</code>${link ? ` <span class="where">on ${link}</span>` : ''}</div>`,
    `<p class="message">${escapeHtml(f.message)}</p>`,
  ];
  if (f.hint) parts.push(`<p class="hint"><span class="label">Hint</span> ${escapeHtml(f.hint)}</p>`);
  if (f.fix) {
    parts.push(
      `<div class="fix"><p><span class="label">Fix</span> ${escapeHtml(f.fix.description)}</p><pre class="sql">${escapeHtml(f.fix.sql)}</pre></div>`,
    );
  }
  return parts.join('');
}

function hottestNodes(nodes: PlanNode[], timings: NodeTiming[], count: number): PlanNode[] {
  return nodes
    .filter((n) => (timings[n.id]?.exclusiveMs ?? 0) > 0)
    .sort((a, b) => (timings[b.id]?.exclusiveMs ?? 0) - (timings[a.id]?.exclusiveMs ?? 0) || a.id - b.id)
    .slice(0, count);
}

function renderHotspots(nodes: PlanNode[], timings: NodeTiming[], analyzed: boolean): string {
  if (!analyzed) return '';
  const hot = hottestNodes(nodes, timings, 3);
  if (!hot.length) return '';
  const items = hot
    .map((n) => {
      const t = timings[n.id]!;
      return `<li><a class="goto" href="#node-${n.id}" data-goto="${n.id}">${escapeHtml(describeNode(n))} <span class="node-num">#${n.id}</span></a> <span class="muted">${escapeHtml(formatMs(t.exclusiveMs))} · ${escapeHtml(formatShare(t.exclusiveShare))}</span></li>`;
    })
    .join('');
  return `<section class="hotspots" aria-labelledby="hotspots-title"><h2 id="hotspots-title">Where the time went</h2><ol>${items}</ol></section>`;
}

// ---------------------------------------------------------------------------------------------------
// The tree

function renderPlanTree(root: PlanNode, ctx: RenderContext): string {
  const toolbar = `<div class="toolbar" role="group" aria-label="Tree controls">
<button type="button" data-action="expand-all">Expand all</button>
<button type="button" data-action="collapse-all">Collapse all</button>
<button type="button" data-action="reset">Default view</button>
</div>`;
  const columns = ctx.analyzed
    ? `<div class="cols" aria-hidden="true"><span>Node</span><span class="num">Self time</span><span>Share of total</span><span class="num">Rows est. → actual</span><span class="num">Loops</span><span class="num">Buffers hit / read</span></div>`
    : `<div class="cols" aria-hidden="true"><span>Node</span><span class="num">Total cost</span><span></span><span class="num">Rows est.</span><span class="num">Loops</span><span class="num">Buffers</span></div>`;
  return `<section class="plan" aria-labelledby="plan-title">
<div class="plan-head"><h2 id="plan-title">Plan</h2>${toolbar}</div>
<div class="tree-scroll">
${columns}
<ul class="tree">
${renderNode(root, 0, ctx)}
</ul>
</div>
</section>`;
}

function renderNode(node: PlanNode, depth: number, ctx: RenderContext): string {
  const id = node.id;
  const timing = ctx.timings[id];
  const insights = ctx.byNode.get(id) ?? [];
  const hasChildren = node.children.length > 0;
  const childrenOpen = ctx.openChildren.has(id);
  const detailsId = `node-${id}-details`;
  const childrenId = `node-${id}-children`;

  const twisty = hasChildren
    ? `<button type="button" class="twisty" data-children aria-expanded="${childrenOpen}" aria-controls="${childrenId}" title="Show or hide the ${node.children.length} node${node.children.length === 1 ? '' : 's'} below"><span class="sr">Child nodes of #${id}</span></button>`
    : `<span class="twisty-space"></span>`;

  const worst = worstSeverity(insights);
  const marker = worst
    ? ` <span class="marker sev-${worst}" title="${insights.length} insight${insights.length === 1 ? '' : 's'}" data-insight-count="${insights.length}">⚠ ${insights.length}</span>`
    : '';
  const toggle = `<button type="button" class="toggle" data-toggle aria-expanded="false" aria-controls="${detailsId}">${nodeLabel(node)}${marker}</button>`;

  const row = `<div class="row" style="--depth:${depth}">
<div class="cell name">${twisty}${toggle}</div>
${timeCells(node, timing, ctx.analyzed)}
${rowsCell(node, timing, ctx.limited.has(id))}
<div class="cell num loops">${node.actual ? escapeHtml(formatInt(node.actual.loops)) : node.neverExecuted ? '0' : '<span class="muted">–</span>'}</div>
${buffersCell(node.buffers)}
</div>`;

  const details = `<div class="details" id="${detailsId}" hidden style="--depth:${depth}">${renderDetails(node, timing, ctx.limited.has(id))}${renderNodeInsights(insights)}</div>`;
  const children = hasChildren
    ? `\n<ul class="children" id="${childrenId}"${childrenOpen ? '' : ' hidden'}>\n${node.children.map((c) => renderNode(c, depth + 1, ctx)).join('\n')}\n</ul>`
    : '';
  const cls = ['node', worst ? `has-insights sev-${worst}` : '', node.neverExecuted ? 'never' : ''].filter(Boolean).join(' ');
  return `<li class="${cls}" id="node-${id}" data-node-id="${id}">\n${row}\n${details}${children}\n</li>`;
}

/** The node's name as EXPLAIN's text form gives it, marked up: "Parallel Seq Scan on public.orders o". */
function nodeLabel(node: PlanNode): string {
  const tags: string[] = [];
  if (node.subplanName) tags.push(node.subplanName);
  else if (node.parentRelationship && !['Outer', 'Inner', 'Member'].includes(node.parentRelationship)) tags.push(node.parentRelationship);
  const tagHtml = tags.map((t) => `<span class="tag">${escapeHtml(t)}</span> `).join('');
  let op = node.nodeType;
  if (node.parallelAware) op = `Parallel ${op}`;
  const mods: string[] = [];
  if (node.joinType && node.joinType !== 'Inner') mods.push(node.joinType);
  if (node.strategy && node.strategy !== 'Plain') mods.push(node.strategy);
  if (node.scanDirection === 'Backward') mods.push('Backward');
  let html = `${tagHtml}<span class="op">${escapeHtml(op)}</span>`;
  if (mods.length) html += ` <span class="mod">${escapeHtml(mods.join(' '))}</span>`;
  const obj = (text: string) => `<span class="obj">${escapeHtml(text)}</span>`;
  const kw = (text: string) => ` <span class="kw">${text}</span> `;
  if (node.index) html += (node.nodeType === 'Bitmap Index Scan' ? kw('on') : kw('using')) + obj(node.index);
  if (node.relation) {
    html += kw('on') + obj(node.schema ? `${node.schema}.${node.relation}` : node.relation);
    if (node.alias && node.alias !== node.relation) html += ` <span class="alias">${escapeHtml(node.alias)}</span>`;
  } else if (node.cte) html += kw('on') + obj(node.cte);
  else if (node.functionName) html += kw('on') + obj(node.functionName);
  return `<span class="label-text">${html}</span>`;
}

function timeCells(node: PlanNode, timing: NodeTiming | undefined, analyzed: boolean): string {
  if (!analyzed) {
    return `<div class="cell num time"><span title="estimated total cost">${escapeHtml(formatInt(Math.round(node.totalCost)))}</span></div><div class="cell bar-cell"></div>`;
  }
  if (node.neverExecuted || !timing) {
    return `<div class="cell num time"><span class="muted">never executed</span></div><div class="cell bar-cell"></div>`;
  }
  const share = Math.max(0, Math.min(1, timing.exclusiveShare));
  const pct = (share * 100).toFixed(2);
  const heat = share >= 0.3 ? 'hot' : share >= 0.1 ? 'warm' : 'cool';
  return `<div class="cell num time" title="inclusive ${escapeHtml(formatMs(timing.inclusiveMs))}">${escapeHtml(formatMs(timing.exclusiveMs))}</div>
<div class="cell bar-cell"><span class="bar" role="img" aria-label="${escapeHtml(formatShare(share))} of the execution time"><span class="fill ${heat}" style="width:${pct}%"></span></span><span class="pct">${escapeHtml(formatShare(share))}</span></div>`;
}

/** How far the row estimate is off, as a factor ≥ 1 and a direction; undefined below the threshold. */
function misestimate(node: PlanNode, timing: NodeTiming | undefined): { factor: number; under: boolean } | undefined {
  if (!node.actual || !timing || timing.rowsRatio === undefined) return undefined;
  const ratio = timing.rowsRatio;
  if (ratio >= MISESTIMATE_FACTOR) return { factor: ratio, under: true };
  if (ratio > 0 && ratio <= 1 / MISESTIMATE_FACTOR) return { factor: 1 / ratio, under: false };
  // No rows at all where many were expected: count the miss as if one row had come.
  if (ratio === 0 && node.planRows >= MISESTIMATE_FACTOR) return { factor: node.planRows, under: false };
  return undefined;
}

function rowsCell(node: PlanNode, timing: NodeTiming | undefined, limited: boolean): string {
  const est = escapeHtml(formatNumber(node.planRows));
  if (!node.actual) {
    return `<div class="cell num rows" title="estimated rows per loop">${est}${node.neverExecuted ? ' → <span class="muted">–</span>' : ''}</div>`;
  }
  const mis = misestimate(node, timing);
  const flag = mis && limited && !mis.under
    ? ` <span class="limited" title="fewer rows than estimated because the Limit above stopped reading">limit</span>`
    : mis
    ? ` <span class="misestimate ${mis.under ? 'under' : 'over'}" title="${mis.under ? 'underestimated' : 'overestimated'} ${escapeHtml(formatFactor(mis.factor))}">${mis.under ? '▲' : '▼'}${escapeHtml(formatFactor(mis.factor))}</span>`
    : '';
  return `<div class="cell num rows" title="rows per loop: estimated → actual">${est} → <strong>${escapeHtml(formatNumber(node.actual.rows))}</strong>${flag}</div>`;
}

function buffersCell(buffers: Buffers | undefined): string {
  if (!buffers) return `<div class="cell num buffers"><span class="muted">–</span></div>`;
  const read = buffers.sharedRead ? `<span class="read">${escapeHtml(formatInt(buffers.sharedRead))}</span>` : '0';
  return `<div class="cell num buffers" title="shared blocks: hit / read">${escapeHtml(formatInt(buffers.sharedHit))} / ${read}</div>`;
}

/** Raw EXPLAIN keys the details list already shows under its own label (or that the row shows). */
const SHOWN_KEYS = new Set([
  'Node Type', 'Parent Relationship', 'Subplan Name', 'Relation Name', 'Schema', 'Alias', 'Index Name', 'CTE Name',
  'Function Name', 'Join Type', 'Strategy', 'Scan Direction', 'Parallel Aware', 'Workers Planned', 'Workers Launched',
  'Startup Cost', 'Total Cost', 'Plan Rows', 'Plan Width', 'Actual Startup Time', 'Actual Total Time', 'Actual Rows',
  'Actual Loops', 'Output', 'Filter', 'Index Cond', 'Recheck Cond', 'Hash Cond', 'Merge Cond', 'Join Filter',
  'Rows Removed by Filter', 'Rows Removed by Join Filter', 'Rows Removed by Index Recheck', 'Sort Key', 'Sort Method',
  'Sort Space Used', 'Sort Space Type', 'Hash Buckets', 'Hash Batches', 'Original Hash Batches', 'Peak Memory Usage',
  'Heap Fetches', 'Exact Heap Blocks', 'Lossy Heap Blocks', 'Shared Hit Blocks', 'Shared Read Blocks',
  'Shared Dirtied Blocks', 'Shared Written Blocks', 'Local Hit Blocks', 'Local Read Blocks', 'Local Dirtied Blocks',
  'Local Written Blocks', 'Temp Read Blocks', 'Temp Written Blocks', 'Async Capable',
]);

const BUFFER_LABELS: Array<[keyof Buffers, string]> = [
  ['sharedHit', 'shared hit'],
  ['sharedRead', 'shared read'],
  ['sharedDirtied', 'shared dirtied'],
  ['sharedWritten', 'shared written'],
  ['localHit', 'local hit'],
  ['localRead', 'local read'],
  ['localDirtied', 'local dirtied'],
  ['localWritten', 'local written'],
  ['tempRead', 'temp read'],
  ['tempWritten', 'temp written'],
];

function renderDetails(node: PlanNode, timing: NodeTiming | undefined, limited: boolean): string {
  const rows: Array<[string, string]> = [];
  const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
  const text = (value: string) => escapeHtml(value);
  rows.push(['Node', text(describeNode(node))]);
  if (node.parentRelationship) rows.push(['Relationship', text(node.parentRelationship)]);
  if (node.joinType) rows.push(['Join type', text(node.joinType)]);
  if (node.strategy) rows.push(['Strategy', text(node.strategy)]);
  if (node.scanDirection) rows.push(['Scan direction', text(node.scanDirection)]);
  if (node.workersPlanned !== undefined || node.workersLaunched !== undefined) {
    rows.push(['Workers', text(`${node.workersLaunched ?? '?'} launched of ${node.workersPlanned ?? '?'} planned`)]);
  }
  rows.push(['Cost', text(`${formatNumber(node.startupCost)} .. ${formatNumber(node.totalCost)} (width ${formatInt(node.planWidth)})`)]);
  if (node.actual) {
    rows.push(['Actual time', text(`${formatMs(node.actual.startupMs)} .. ${formatMs(node.actual.totalMs)} per loop × ${formatInt(node.actual.loops)} loop${node.actual.loops === 1 ? '' : 's'}`)]);
  } else if (node.neverExecuted) rows.push(['Actual time', 'never executed']);
  if (timing && node.actual) {
    rows.push(['Time', text(`${formatMs(timing.exclusiveMs)} self, ${formatMs(timing.inclusiveMs)} with the nodes below`)]);
    const mis = misestimate(node, timing);
    rows.push([
      'Rows per loop',
      text(`${formatNumber(node.planRows)} estimated, ${formatNumber(node.actual.rows)} actual`) +
        (mis && limited && !mis.under
          ? ` <span class="muted">(fewer than estimated because the Limit above stopped reading)</span>`
          : mis
            ? ` <span class="misestimate ${mis.under ? 'under' : 'over'}">${mis.under ? 'underestimated' : 'overestimated'} ${escapeHtml(formatFactor(mis.factor))}</span>`
            : ''),
    ]);
  } else rows.push(['Rows', text(`${formatNumber(node.planRows)} estimated`)]);
  if (node.indexCond) rows.push(['Index cond', code(node.indexCond)]);
  if (node.recheckCond) rows.push(['Recheck cond', code(node.recheckCond)]);
  if (node.rowsRemovedByIndexRecheck) rows.push(['Removed by recheck', text(formatInt(node.rowsRemovedByIndexRecheck))]);
  if (node.hashCond) rows.push(['Hash cond', code(node.hashCond)]);
  if (node.mergeCond) rows.push(['Merge cond', code(node.mergeCond)]);
  if (node.joinFilter) rows.push(['Join filter', code(node.joinFilter)]);
  if (node.rowsRemovedByJoinFilter) rows.push(['Removed by join filter', text(formatInt(node.rowsRemovedByJoinFilter))]);
  if (node.filter) rows.push(['Filter', `<code class="filter">${escapeHtml(node.filter)}</code>`]);
  if (node.rowsRemovedByFilter !== undefined) rows.push(['Removed by filter', text(formatInt(node.rowsRemovedByFilter))]);
  if (node.sortKey?.length) rows.push(['Sort key', node.sortKey.map(code).join(', ')]);
  if (node.sortMethod) {
    const space = node.sortSpaceUsedKb !== undefined ? `, ${formatInt(node.sortSpaceUsedKb)} kB ${node.sortSpaceType ?? ''}`.trimEnd() : '';
    rows.push(['Sort method', text(node.sortMethod + space)]);
  }
  if (node.hashBuckets !== undefined) {
    const batches = node.originalHashBatches !== undefined && node.originalHashBatches !== node.hashBatches ? ` (originally ${formatInt(node.originalHashBatches)})` : '';
    rows.push(['Hash', text(`${formatInt(node.hashBuckets)} buckets, ${formatInt(node.hashBatches ?? 1)} batch${node.hashBatches === 1 ? '' : 'es'}${batches}`)]);
  }
  if (node.peakMemoryKb !== undefined) rows.push(['Peak memory', text(`${formatInt(node.peakMemoryKb)} kB`)]);
  if (node.heapFetches !== undefined) rows.push(['Heap fetches', text(formatInt(node.heapFetches))]);
  if (node.exactHeapBlocks !== undefined || node.lossyHeapBlocks !== undefined) {
    rows.push(['Heap blocks', text(`exact ${formatInt(node.exactHeapBlocks ?? 0)}, lossy ${formatInt(node.lossyHeapBlocks ?? 0)}`)]);
  }
  if (node.buffers) {
    const parts = BUFFER_LABELS.filter(([k]) => node.buffers![k] > 0).map(([k, label]) => `${label} ${formatInt(node.buffers![k])}`);
    rows.push(['Buffers', text(parts.length ? parts.join(', ') : 'none')]);
  }
  // Whatever else EXPLAIN said about the node (Group Key, Cache Key, Index Searches, Workers …), as given.
  for (const [key, value] of Object.entries(node.raw)) {
    if (SHOWN_KEYS.has(key) || value === undefined || value === null) continue;
    if (key === 'Disabled' && value === false) continue;
    rows.push([key, rawValue(value)]);
  }
  if (node.output?.length) rows.push(['Output', `<span class="output">${node.output.map(code).join(', ')}</span>`]);
  const items = rows.map(([k, v]) => `<div class="kv"><dt>${escapeHtml(k)}</dt><dd>${v}</dd></div>`).join('');
  return `<dl class="kvs">${items}</dl>`;
}

function rawValue(value: unknown): string {
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) {
    return value.map((v) => `<code>${escapeHtml(String(v))}</code>`).join(', ');
  }
  if (typeof value === 'object') return `<pre class="raw">${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
  if (typeof value === 'number') return escapeHtml(formatNumber(value));
  return escapeHtml(String(value));
}

function renderNodeInsights(insights: Finding[]): string {
  if (!insights.length) return '';
  const items = insights
    .map((f) => `<li class="insight node-insight sev-${severityOf(f.severity)}" data-rule="${escapeHtml(f.rule)}">${renderFindingBody(f, '')}</li>`)
    .join('');
  return `<ul class="node-insights" aria-label="Insights on this node">${items}</ul>`;
}

// ---------------------------------------------------------------------------------------------------
// Formatting and escaping

/** Text or attribute value → HTML that shows it as typed and can never open a tag or leave an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function severityOf(severity: string): Severity {
  return (SEVERITY_ORDER as string[]).includes(severity) ? (severity as Severity) : 'info';
}

function worstSeverity(findings: Finding[]): Severity | undefined {
  for (const s of SEVERITY_ORDER) if (findings.some((f) => severityOf(f.severity) === s)) return s;
  return undefined;
}

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const DEC = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function formatInt(n: number): string {
  return INT.format(n);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? INT.format(n) : DEC.format(n);
}

function formatMs(ms: number): string {
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(ms)} ms`;
}

function formatShare(share: number): string {
  if (share <= 0) return '0%';
  if (share < 0.001) return '<0.1%';
  return `${(share * 100).toFixed(1)}%`;
}

function formatFactor(factor: number): string {
  return `${factor >= 100 ? INT.format(Math.round(factor)) : factor.toFixed(1).replace(/\.0$/, '')}×`;
}

// ---------------------------------------------------------------------------------------------------
// The page's CSS and script. Static: no plan data is ever spliced into either.

const STYLE = `
:root{--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--soft:#f6f8fa;--hover:#eef3f8;--accent:#0969da;
--err:#cf222e;--err-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;--info:#0969da;--info-bg:#ddf4ff;
--cool:#54aeff;--warm:#d4a72c;--hot:#e5534b;--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;
--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--soft:#161b22;--hover:#1c2330;--accent:#4493f8;
--err:#ff7b72;--err-bg:#3c1618;--warn:#d29922;--warn-bg:#3a2d08;--info:#4493f8;--info-bg:#0c2d52;--cool:#1f6feb;--warm:#bb8009;--hot:#da3633}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 var(--sans)}
main{max-width:1280px;margin:0 auto;padding:24px 24px 64px}
h1{font-size:1.6rem;margin:0 0 12px;font-weight:600}
h2{font-size:1.1rem;margin:0 0 10px;font-weight:600;display:flex;align-items:center;gap:8px;flex-wrap:wrap}
h3{font-size:.85rem;margin:0 0 6px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
section{margin-top:28px}
code,pre{font-family:var(--mono);font-size:12.5px}
pre{margin:0;white-space:pre-wrap;word-break:break-word}
pre.sql{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow:auto;max-height:24em}
.muted{color:var(--muted)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.facts{display:flex;flex-wrap:wrap;gap:8px 28px;margin:0}
.fact dt{font-size:.75rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.fact dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
.query{margin-top:18px}
.extras{display:flex;flex-wrap:wrap;gap:12px 40px;margin-top:16px}
.extras ul{margin:0;padding-left:18px}
.pill,.badge{display:inline-block;border-radius:999px;padding:0 8px;font-size:.75rem;font-weight:600;line-height:1.6;border:1px solid transparent}
.sev-error.pill,.sev-error.badge{color:var(--err);background:var(--err-bg);border-color:var(--err)}
.sev-warning.pill,.sev-warning.badge{color:var(--warn);background:var(--warn-bg);border-color:var(--warn)}
.sev-info.pill,.sev-info.badge{color:var(--info);background:var(--info-bg);border-color:var(--info)}
.insight-list{list-style:none;margin:0;padding:0;display:grid;gap:10px}
.insight{border:1px solid var(--line);border-left-width:4px;border-radius:6px;padding:10px 14px;background:var(--bg)}
.insight.sev-error{border-left-color:var(--err)}
.insight.sev-warning{border-left-color:var(--warn)}
.insight.sev-info{border-left-color:var(--info)}
.insight-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px}
.rule{font-weight:600}
.where{color:var(--muted)}
.message{margin:6px 0 0;font-weight:500}
.hint,.fix p{margin:4px 0 0;color:var(--fg)}
.fix pre{margin-top:6px}
.label{display:inline-block;font-size:.7rem;font-weight:700;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin-right:4px}
.none{color:var(--muted);margin:0}
a{color:var(--accent)}
a.goto{text-decoration:none;border-bottom:1px dotted currentColor}
a.goto:hover{border-bottom-style:solid}
.node-num{color:var(--muted);font-size:.85em}
.hotspots ol{margin:0;padding-left:22px}
.hotspots li{margin:2px 0}
.plan-head{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap;margin-bottom:8px}
.plan-head h2{margin:0}
.toolbar{display:flex;gap:6px}
button{font:inherit;color:inherit}
.toolbar button{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:3px 10px;cursor:pointer}
.toolbar button:hover{background:var(--hover)}
:focus-visible{outline:2px solid var(--accent);outline-offset:1px;border-radius:3px}
.tree-scroll{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
.cols,.row{display:grid;grid-template-columns:minmax(340px,1fr) 88px 150px 180px 56px 150px;align-items:center;column-gap:10px;min-width:1020px;padding:0 12px}
.cols{position:sticky;top:0;background:var(--soft);border-bottom:1px solid var(--line);font-size:.72rem;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;padding-top:6px;padding-bottom:6px}
.num{text-align:right;font-variant-numeric:tabular-nums}
.tree,.children{list-style:none;margin:0;padding:0}
.row{min-height:32px;border-bottom:1px solid var(--line)}
.row:hover{background:var(--hover)}
.node.never>.row{opacity:.6}
.cell{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.cell.name{display:flex;align-items:center;padding-left:calc(var(--depth) * 20px);min-width:0}
.twisty,.twisty-space{flex:none;width:20px;height:20px}
.twisty{border:0;background:none;padding:0;cursor:pointer;color:var(--muted);border-radius:4px;display:inline-flex;align-items:center;justify-content:center}
.twisty::before{content:"";width:0;height:0;border-left:5px solid transparent;border-right:5px solid transparent;border-top:6px solid currentColor;transition:transform .12s}
.twisty[aria-expanded="false"]::before{transform:rotate(-90deg)}
.twisty:hover{background:var(--line);color:var(--fg)}
.toggle{display:flex;align-items:center;gap:6px;min-width:0;flex:1 1 auto;border:0;background:none;padding:4px 6px;text-align:left;cursor:pointer;border-radius:4px}
.toggle:hover .op{text-decoration:underline}
.toggle[aria-expanded="true"]{background:var(--soft)}
.label-text{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.op{font-weight:600}
.mod{color:var(--muted);font-size:.85em;border:1px solid var(--line);border-radius:4px;padding:0 4px}
.kw{color:var(--muted)}
.obj{font-family:var(--mono);font-size:12.5px}
.alias{font-family:var(--mono);font-size:12.5px;color:var(--muted)}
.tag{font-size:.72rem;font-weight:600;color:var(--muted);background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:0 4px}
.marker{flex:none;font-size:.75rem;font-weight:700;border-radius:999px;padding:0 6px;line-height:1.6}
.marker.sev-error{color:var(--err);background:var(--err-bg)}
.marker.sev-warning{color:var(--warn);background:var(--warn-bg)}
.marker.sev-info{color:var(--info);background:var(--info-bg)}
.bar-cell{display:flex;align-items:center;gap:8px}
.bar{flex:1;height:8px;background:var(--soft);border:1px solid var(--line);border-radius:4px;overflow:hidden}
.fill{display:block;height:100%;min-width:0}
.fill.cool{background:var(--cool)}.fill.warm{background:var(--warm)}.fill.hot{background:var(--hot)}
.pct{width:44px;text-align:right;font-size:.8rem;color:var(--muted);font-variant-numeric:tabular-nums}
.misestimate{font-size:.75rem;font-weight:700;border-radius:4px;padding:0 4px}
.misestimate.under{color:var(--err);background:var(--err-bg)}
.misestimate.over{color:var(--warn);background:var(--warn-bg)}
.limited{font-size:.72rem;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px}
.buffers .read{color:var(--warn);font-weight:600}
.details{padding:10px 16px 14px calc(var(--depth) * 20px + 44px);border-bottom:1px solid var(--line);background:var(--soft)}
.kvs{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0}
.kv{display:contents}
.kv dt{color:var(--muted);font-size:.85rem}
.kv dd{margin:0;min-width:0;word-break:break-word}
.kv code{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:0 4px}
pre.raw{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:4px 8px}
.node-insights{list-style:none;margin:12px 0 0;padding:0;display:grid;gap:8px}
.node.flash>.row{animation:flash 1.6s ease-out}
@keyframes flash{from{background:var(--warn-bg)}to{background:transparent}}
@media (prefers-reduced-motion:reduce){.node.flash>.row{animation:none;outline:2px solid var(--accent)}.twisty::before{transition:none}}
@media print{.toolbar,.twisty{display:none}.plan [hidden]{display:block!important}.tree-scroll{overflow:visible;border:0}}
`;

const SCRIPT = `(function () {
  "use strict";
  var doc = document;
  var plan = doc.querySelector(".plan");
  if (!plan) return;
  var controls = Array.prototype.slice.call(plan.querySelectorAll("button[aria-controls]"));
  controls.forEach(function (b) { b.setAttribute("data-initial", b.getAttribute("aria-expanded")); });
  function setOpen(button, open) {
    var target = doc.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    target.hidden = !open;
  }
  function nodeOf(id) {
    return /^[0-9]+$/.test(id) ? plan.querySelector('[data-node-id="' + id + '"]') : null;
  }
  function reveal(id, focus) {
    var node = nodeOf(id);
    if (!node) return;
    for (var p = node.parentElement; p && p !== plan; p = p.parentElement) {
      if (p.classList.contains("children") && p.id) {
        var opener = plan.querySelector('button[aria-controls="' + p.id + '"]');
        if (opener) setOpen(opener, true);
      }
    }
    var toggle = node.querySelector("[data-toggle]");
    if (toggle) setOpen(toggle, true);
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    node.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
    if (focus && toggle) toggle.focus({ preventScroll: true });
    node.classList.remove("flash");
    void node.offsetWidth;
    node.classList.add("flash");
  }
  doc.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var go = target.closest("a[data-goto]");
    if (go) {
      event.preventDefault();
      reveal(go.getAttribute("data-goto"), true);
      return;
    }
    var action = target.closest("button[data-action]");
    if (action) {
      var kind = action.getAttribute("data-action");
      controls.forEach(function (b) {
        setOpen(b, kind === "expand-all" ? true : kind === "collapse-all" ? false : b.getAttribute("data-initial") === "true");
      });
      return;
    }
    var button = target.closest("button[aria-controls]");
    if (button && plan.contains(button)) setOpen(button, button.getAttribute("aria-expanded") !== "true");
  });
  plan.addEventListener("animationend", function (event) {
    if (event.target instanceof Element) {
      var node = event.target.closest(".node");
      if (node) node.classList.remove("flash");
    }
  });
  var hash = /^#node-([0-9]+)$/.exec(window.location.hash);
  if (hash) reveal(hash[1], false);
})();`;
