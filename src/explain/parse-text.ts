// EXPLAIN's text form (what psql prints) → the typed Plan. The text is read into the same JSON-shaped
// objects EXPLAIN (FORMAT JSON) produces — EXACTLY its key names ("Node Type", "Relation Name",
// "Rows Removed by Filter", "Shared Hit Blocks" …) — and handed to planFromRaw, so text and JSON meet one
// normaliser and give the same tree.
//
// Accepted: PostgreSQL 13–18 output with or without ANALYZE, BUFFERS, VERBOSE, SETTINGS, WAL, TIMING off,
// SUMMARY off, COSTS off; psql's decoration (a "QUERY PLAN" header, the dashes under it, the leading
// space, padding, the "+" of a multi-line cell, the "(N rows)" footer, chatter such as "SET" or "BEGIN"
// before the header, expanded "-[ RECORD n ]" output) or plain text without any of it. The tree comes
// from the "->" arrows and the indentation, not from fixed widths, so re-indented text reads too.
//
// Where the text leaves out a value that JSON always prints, the value JSON would print is put back when
// PostgreSQL's explain.c makes it certain: "Rows Removed by Filter/Join Filter/Index Recheck/Conflict
// Filter" of 0 (text hides zero counts), "Exact/Lossy Heap Blocks" of 0, every buffer counter of every
// node once any node or the planning shows a "Buffers:" line, and every WAL counter once any node shows a
// "WAL:" line (text prints only non-zero counters), the zero actual figures of a "never executed" node,
// "Original Hash Buckets/Batches" equal to the current ones when no "(originally …)" is shown, "Partial
// Mode": "Simple", "Scan Direction": "Forward", "Subplans Removed": 0, "Single Copy": false, "Planned
// Partitions"/"Disk Usage" of 0, "Operation": "Select" of a Foreign Scan, "Inner Unique": false on the
// joins of a VERBOSE plan, the "Alias" that text omits when it equals the object's name, and a trigger's
// "Relation" when the plan has one ModifyTable (text names it only when there are several).
//
// What text cannot carry (a plan read from text lacks it, or has it only approximately):
//  - JSON-only keys: "Async Capable": false and "Disabled": false (text prints only true), "Inner Unique"
//    without VERBOSE, "Workers": [] for workers that reported nothing, the zero-valued "I/O … Time"
//    counters, "Query Text"/"Query Parameters", JIT's per-option booleans (kept as its text lines).
//  - Counters when none is shown: a plan where every buffer (or WAL) counter was 0 does not say that
//    BUFFERS (or WAL) was on, so it gets no buffers while JSON has zeros; likewise the "Planning" group.
//  - "Scan Direction": "NoMovement" (PostgreSQL ≤ 15, unordered index scans) reads as "Forward".
//  - Without VERBOSE, the "Trigger Name" of a constraint trigger: the constraint's name stands in for it.
//  - "Function Scan on f": with one name, the function name and the alias are taken to be the same; a
//    ROWS FROM (…) of several functions has no "Function Name" in JSON but gets one here.
//  - Grouping sets: which "Group Key" lines form one set of "Grouping Sets" is inferred from their order.
//  - PostgreSQL 13's ModifyTable children were "Member"s; they read as "Outer" (14+).
//  - Lists ("Output", "Sort Key", "Group Key" …) are split at top-level ", ", outside quotes and brackets
//    (EXPLAIN joins them with ", " and does not escape).
//  - Output with several plans (rules, multi-statement EXPLAIN): only the first plan is read.
// Lines the reader does not know are kept, never fatal: "Label: value" under its label in `raw`
// (numbers as numbers), anything else in raw["Unparsed Lines"]. Input that is not a plan at all throws
// PlanParseError naming the line.
import { bufferKeys, PlanParseError, planFromRaw } from './parse-json.js';
import type { Plan } from './types.js';

type Raw = Record<string, unknown>;

/** One line of the plan: its 1-based number in the input, its indentation, its trimmed text. */
interface Line {
  no: number;
  col: number;
  text: string;
}

/** A line and the more-indented lines under it (worker details, JIT, a grouping set's keys …). */
interface Item {
  line: Line;
  sub: Line[];
}

interface TextNode {
  line: Line;
  raw: Raw;
  /** Column of "->" (the root: four left of its name, as if it had one). */
  arrowCol: number;
  /** Column where the node's name starts. */
  contentCol: number;
  subplanName?: string;
  neverExecuted: boolean;
  /** Actual rows printed with decimals ("rows=10.00"): PostgreSQL 18 or later. */
  fractionalRows: boolean;
  details: Line[];
  children: TextNode[];
}

/**
 * Read EXPLAIN output in TEXT format, as psql prints it (decorated or not), into a Plan. Throws
 * PlanParseError, naming the line, when the text is not a plan.
 */
export function parseTextPlan(text: string): Plan {
  const lines = undecorate(text);
  if (lines.length === 0) throw new PlanParseError('not an EXPLAIN plan: the input has no plan lines');
  const first = lines[0];
  if (/^[[{]/.test(first.text)) {
    throw new PlanParseError(`line ${first.no}: this looks like EXPLAIN (FORMAT JSON) output, not the text format; read it with parseJsonPlan`);
  }
  const { root, summary } = buildTree(lines);
  const flags: PlanFlags = { analyzed: false, timing: false, buffers: false, wal: false, verbose: false, costs: false, fractionalRows: false };
  const nodes: TextNode[] = [];
  const visit = (node: TextNode) => {
    nodes.push(node);
    node.children.forEach(visit);
  };
  visit(root);

  for (const node of nodes) {
    applyDetails(node);
    const raw = node.raw;
    if ('Actual Loops' in raw || node.neverExecuted) flags.analyzed = true;
    if ('Actual Total Time' in raw) flags.timing = true;
    if ('Shared Hit Blocks' in raw) flags.buffers = true;
    if ('WAL Records' in raw) flags.wal = true;
    if (node.fractionalRows) flags.fractionalRows = true;
    if ('Output' in raw) flags.verbose = true;
    if ('Total Cost' in raw) flags.costs = true;
    relateChildren(node);
  }

  const top: Raw = {};
  for (const item of groupItems(summary)) applySummaryItem(item, top);
  if (isObject(top.Planning) && 'Shared Hit Blocks' in top.Planning) flags.buffers = true;

  for (const node of nodes) fillDefaults(node, flags);
  if (flags.analyzed && flags.buffers) {
    const planning = isObject(top.Planning) ? top.Planning : (top.Planning = {});
    fillBuffers(planning as Raw);
  }
  if (flags.analyzed && !Array.isArray(top.Triggers)) top.Triggers = [];
  // Text names a trigger's relation only when several result relations exist; with one ModifyTable the
  // triggers are that table's (its actual target, when one is listed).
  const modify = nodes.filter((node) => node.raw['Node Type'] === 'ModifyTable');
  if (Array.isArray(top.Triggers) && modify.length === 1) {
    const targets = modify[0].raw['Target Tables'];
    const relation = Array.isArray(targets) && targets.length === 1 ? (targets[0] as Raw)['Relation Name'] : modify[0].raw['Relation Name'];
    if (typeof relation === 'string') for (const trigger of top.Triggers as Raw[]) trigger.Relation ??= relation;
  }

  top.Plan = toJsonShape(root);
  // Key order as FORMAT JSON has it, for anyone reading `raw`: Plan first.
  const { Plan: plan, ...rest } = top;
  return planFromRaw({ Plan: plan, ...rest });
}

// ---------------------------------------------------------------------------------------------------
// psql's decoration

const HEADER = /^\s*QUERY PLAN\s*$/;
const DASHES = /^\s*-+\s*$/;
const FOOTER = /^\s*\(\d+ rows?\)\s*$/;
const EXPANDED = /^QUERY PLAN\s*\|\s?(.*)$/;
/** A continuation line of a multi-line value in expanded output: the label column left blank. */
const EXPANDED_MORE = /^\s+\| ?(.*)$/;

/** The plan's lines without psql's header, dashes, footer, "+" markers and blank lines. */
function undecorate(text: string): Line[] {
  const all = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let start = 0;
  let end = all.length;
  let decorated = false;
  const header = all.findIndex((line) => HEADER.test(line));
  if (header >= 0 && DASHES.test(all[header + 1] ?? '')) {
    start = header + 2;
    decorated = true;
  } else if (header >= 0 && header < all.length - 1) {
    start = header + 1;
    decorated = true;
  }
  for (let i = start; i < all.length; i++) {
    if (FOOTER.test(all[i])) {
      end = i;
      decorated = true;
      break;
    }
  }
  const expanded = all.slice(start, end).some((line) => EXPANDED.test(line));
  const picked: Array<{ no: number; text: string }> = [];
  for (let i = start; i < end; i++) {
    let line = all[i];
    if (expanded) {
      // psql -x: only the "QUERY PLAN | …" lines (and their continuations) are the plan.
      const m = EXPANDED.exec(line) ?? EXPANDED_MORE.exec(line);
      if (!m) continue;
      line = m[1];
    }
    picked.push({ no: i + 1, text: line.trimEnd() });
  }
  // A multi-line cell in psql's aligned format ends every line but the last with "+".
  let plus = decorated || expanded;
  if (!plus) {
    const nonEmpty = picked.filter((l) => l.text !== '');
    plus = nonEmpty.length > 1 && nonEmpty.slice(0, -1).every((l) => l.text.endsWith('+'));
  }
  const lines: Line[] = [];
  for (const { no, text: raw } of picked) {
    let body = plus && raw.endsWith('+') ? raw.slice(0, -1).trimEnd() : raw;
    if (body.includes('\t')) body = body.replace(/\t/g, '    ');
    const text = body.trimStart();
    if (text === '') continue;
    lines.push({ no, col: body.length - text.length, text });
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// The tree

const ARROW = /^->\s*/;

/** Nodes from the "->" lines and their indentation; other lines become details of the node above them. */
function buildTree(lines: Line[]): { root: TextNode; summary: Line[] } {
  const first = lines[0];
  const root = newNode(first, first.col - 4, first.col, true);
  const stack: TextNode[] = [root];
  const summary: Line[] = [];
  let inSummary = false;
  let pending: { name: string; parent: TextNode } | undefined;
  const top = () => stack[stack.length - 1];
  const popTo = (keep: (node: TextNode) => boolean) => {
    while (stack.length > 1 && !keep(top())) stack.pop();
  };

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const isArrow = ARROW.test(line.text);
    if (!isArrow && line.col < root.contentCol + 2) {
      // Back at the root's column (details sit two deeper; one deeper is a copy from psql that lost the
      // first line's leading space): a second plan (rules, several statements) ends the first; anything
      // else is the summary (Settings, Planning, Triggers, JIT, times).
      if (FIGURES_AT_END.test(line.text)) break;
      inSummary = true;
    }
    if (inSummary) {
      if (isArrow) throw new PlanParseError(`line ${line.no}: a plan node ("->") after the plan's summary lines`);
      summary.push(line);
      continue;
    }
    if (isArrow) {
      if (line.col <= root.contentCol) throw new PlanParseError(`line ${line.no}: a plan node ("->") at the root's level; expected it indented under a node`);
      const content = line.text.replace(ARROW, '');
      if (content === '') throw new PlanParseError(`line ${line.no}: "->" without a plan node after it`);
      const contentCol = line.col + (line.text.length - content.length);
      let parent: TextNode;
      let subplanName: string | undefined;
      if (pending) {
        parent = pending.parent;
        subplanName = pending.name;
        pending = undefined;
      } else {
        popTo((node) => node.arrowCol < line.col);
        parent = top();
      }
      const node = newNode({ ...line, text: content }, line.col, contentCol, false);
      if (subplanName !== undefined) node.subplanName = subplanName;
      parent.children.push(node);
      stack.push(node);
      continue;
    }
    popTo((node) => node.contentCol < line.col);
    const next = lines[i + 1];
    if (next && ARROW.test(next.text) && next.col === line.col + 2) {
      // "InitPlan 1 (returns $0)", "SubPlan 2", "CTE x": the name of the subplan on the next line.
      pending = { name: line.text, parent: top() };
      continue;
    }
    top().details.push(line);
  }
  return { root, summary };
}

function newNode(line: Line, arrowCol: number, contentCol: number, isRoot: boolean): TextNode {
  const { raw, neverExecuted, known, fractionalRows } = parseNodeLine(line);
  if (isRoot && !known) {
    const shown = line.text.length > 60 ? `${line.text.slice(0, 60)}…` : line.text;
    throw new PlanParseError(`line ${line.no}: not an EXPLAIN plan: expected a plan node such as "Seq Scan on t  (cost=…)", found "${shown}"`);
  }
  return { line, raw, arrowCol, contentCol, neverExecuted, fractionalRows, details: [], children: [] };
}

/** Parent Relationship as JSON gives it, from the parent's type and the children's order and names. */
function relateChildren(node: TextNode): void {
  const type = node.raw['Node Type'];
  const regular = node.children.filter((child) => child.subplanName === undefined);
  regular.forEach((child, index) => {
    let relation: string;
    if (type === 'Append' || type === 'Merge Append' || type === 'BitmapAnd' || type === 'BitmapOr') relation = 'Member';
    else if (type === 'Subquery Scan') relation = 'Subquery';
    else if (type === 'Custom Scan') relation = regular.length === 1 ? 'child' : 'children';
    else relation = index === 0 ? 'Outer' : index === 1 ? 'Inner' : 'Member';
    child.raw['Parent Relationship'] = relation;
  });
  for (const child of node.children) {
    if (child.subplanName === undefined) continue;
    child.raw['Parent Relationship'] = /^SubPlan\b/.test(child.subplanName) ? 'SubPlan' : 'InitPlan';
    child.raw['Subplan Name'] = child.subplanName;
  }
}

function toJsonShape(node: TextNode): Raw {
  if (node.children.length) node.raw.Plans = node.children.map(toJsonShape);
  return node.raw;
}

// ---------------------------------------------------------------------------------------------------
// The node line: "[Parallel ][Async ]<name>[ on target]  (cost=a..b rows=n width=w) (actual …)"

const FIGURES =
  /^(.*?)(?:\s+\(cost=(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?) rows=(\d+(?:\.\d+)?) width=(\d+)\))?(?:\s+\(actual (?:time=(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?) )?rows=(\d+(?:\.\d+)?) loops=(\d+)\)|\s+\((never executed)\))?$/;
const FIGURES_AT_END = /(?:\(cost=[\d.]+\.\.[\d.]+ rows=[\d.]+ width=\d+\)|\(actual (?:time=[\d.]+\.\.[\d.]+ )?rows=[\d.]+ loops=\d+\)|\(never executed\))$/;

const PLAIN_NODES = new Set([
  'Result',
  'ProjectSet',
  'Append',
  'Merge Append',
  'Recursive Union',
  'BitmapAnd',
  'BitmapOr',
  'Gather',
  'Gather Merge',
  'Materialize',
  'Memoize',
  'Sort',
  'Incremental Sort',
  'Group',
  'WindowAgg',
  'Unique',
  'LockRows',
  'Limit',
  'Hash',
  'ModifyTable',
]);

const AGG_STRATEGY: Record<string, string> = { Aggregate: 'Plain', GroupAggregate: 'Sorted', HashAggregate: 'Hashed', MixedAggregate: 'Mixed' };

/** Scans whose target follows " on ", and the JSON key of the object named there. */
const TARGET_SCANS: Record<string, string | undefined> = {
  'Seq Scan': 'Relation Name',
  'Sample Scan': 'Relation Name',
  'Bitmap Heap Scan': 'Relation Name',
  'Tid Scan': 'Relation Name',
  'Tid Range Scan': 'Relation Name',
  'Function Scan': 'Function Name',
  'Table Function Scan': 'Table Function Name',
  'CTE Scan': 'CTE Name',
  'WorkTable Scan': 'CTE Name',
  'Named Tuplestore Scan': 'Tuplestore Name',
  'Subquery Scan': undefined,
  'Values Scan': undefined,
};

const IDENT = String.raw`(?:"(?:[^"]|"")*"|[^\s"]+)`;
/** The first name of a target stops at a dot: "public.orders o" is schema, relation, alias. */
const IDENT_NO_DOT = String.raw`(?:"(?:[^"]|"")*"|[^\s".]+)`;
const TARGET = new RegExp(`^(${IDENT_NO_DOT})(?:\\.(${IDENT}))?(?: (${IDENT}))?$`);
const INDEX_SCAN = new RegExp(`^(Index Scan|Index Only Scan)( Backward)? using (${IDENT}) on (.+)$`);
const BITMAP_INDEX_SCAN = new RegExp(`^Bitmap Index Scan on (${IDENT})$`);

function parseNodeLine(line: Line): { raw: Raw; neverExecuted: boolean; known: boolean; fractionalRows: boolean } {
  const m = FIGURES.exec(line.text);
  const name = (m?.[1] ?? line.text).trim();
  if (!m || name === '') throw new PlanParseError(`line ${line.no}: a plan node line without a node name: "${line.text}"`);
  if (/\((?:cost=|actual |never executed)/.test(name)) {
    throw new PlanParseError(`line ${line.no}: cannot read the figures of this plan node: "${line.text}"`);
  }
  const raw: Raw = {};
  const known = readNodeName(name, raw);
  const hasFigures = m[2] !== undefined || m[8] !== undefined || m[10] !== undefined;
  if (m[2] !== undefined) {
    raw['Startup Cost'] = Number(m[2]);
    raw['Total Cost'] = Number(m[3]);
    raw['Plan Rows'] = Number(m[4]);
    raw['Plan Width'] = Number(m[5]);
  }
  if (m[8] !== undefined) {
    if (m[6] !== undefined) {
      raw['Actual Startup Time'] = Number(m[6]);
      raw['Actual Total Time'] = Number(m[7]);
    }
    raw['Actual Rows'] = Number(m[8]);
    raw['Actual Loops'] = Number(m[9]);
  }
  return { raw, neverExecuted: m[10] !== undefined, known: known || hasFigures, fractionalRows: m[8]?.includes('.') ?? false };
}

/** Node Type and what the node's name says (join type, strategy, target …) → raw. False for an unknown name. */
function readNodeName(name: string, raw: Raw): boolean {
  let rest = name;
  raw['Parallel Aware'] = false;
  if (rest.startsWith('Parallel ')) {
    raw['Parallel Aware'] = true;
    rest = rest.slice('Parallel '.length);
  }
  if (rest.startsWith('Async ')) {
    raw['Async Capable'] = true;
    rest = rest.slice('Async '.length);
  }
  let m: RegExpExecArray | null;
  if ((m = /^(?:(Partial|Finalize) )?(HashAggregate|GroupAggregate|MixedAggregate|Aggregate)$/.exec(rest))) {
    raw['Node Type'] = 'Aggregate';
    raw.Strategy = AGG_STRATEGY[m[2]];
    raw['Partial Mode'] = m[1] ?? 'Simple';
    return true;
  }
  if ((m = /^(HashSetOp|SetOp) (Intersect All|Intersect|Except All|Except)$/.exec(rest))) {
    raw['Node Type'] = 'SetOp';
    raw.Strategy = m[1] === 'HashSetOp' ? 'Hashed' : 'Sorted';
    raw.Command = m[2];
    return true;
  }
  if ((m = /^(Nested Loop|Hash|Merge)(?: (Left|Right|Full|Semi|Anti|Right Semi|Right Anti))? Join$/.exec(rest)) || rest === 'Nested Loop') {
    const kind = m ? m[1] : 'Nested Loop';
    raw['Node Type'] = kind === 'Nested Loop' ? 'Nested Loop' : `${kind} Join`;
    raw['Join Type'] = m?.[2] ?? 'Inner';
    return true;
  }
  if ((m = /^(Insert|Update|Delete|Merge) on (.+)$/.exec(rest))) {
    raw['Node Type'] = 'ModifyTable';
    raw.Operation = m[1];
    applyTarget(m[2], 'Relation Name', raw);
    return true;
  }
  if ((m = /^Foreign (Scan|Insert|Update|Delete)(?: on (.+))?$/.exec(rest))) {
    raw['Node Type'] = 'Foreign Scan';
    raw.Operation = m[1] === 'Scan' ? 'Select' : m[1];
    if (m[2]) applyTarget(m[2], 'Relation Name', raw);
    return true;
  }
  if ((m = /^Custom Scan(?: \((.+?)\))?(?: on (.+))?$/.exec(rest))) {
    raw['Node Type'] = 'Custom Scan';
    if (m[1]) raw['Custom Plan Provider'] = m[1];
    if (m[2]) applyTarget(m[2], 'Relation Name', raw);
    return true;
  }
  if ((m = INDEX_SCAN.exec(rest))) {
    raw['Node Type'] = m[1];
    raw['Scan Direction'] = m[2] ? 'Backward' : 'Forward';
    raw['Index Name'] = unquote(m[3]);
    applyTarget(m[4], 'Relation Name', raw);
    return true;
  }
  if ((m = BITMAP_INDEX_SCAN.exec(rest))) {
    raw['Node Type'] = 'Bitmap Index Scan';
    raw['Index Name'] = unquote(m[1]);
    return true;
  }
  const on = rest.indexOf(' on ');
  if (on > 0 && rest.slice(0, on) in TARGET_SCANS) {
    const type = rest.slice(0, on);
    raw['Node Type'] = type;
    applyTarget(rest.slice(on + 4), TARGET_SCANS[type], raw);
    return true;
  }
  raw['Node Type'] = rest;
  return PLAIN_NODES.has(rest);
}

/**
 * " on [schema.]object [alias]" (or " on alias" for VALUES and subqueries) → the JSON keys. Text leaves the
 * alias out when it equals the object's name; JSON always gives it.
 */
function applyTarget(target: string, objectKey: string | undefined, raw: Raw): void {
  const tokens = TARGET.exec(target);
  if (!tokens) {
    raw.Alias = target;
    return;
  }
  const [, a, b, alias] = tokens;
  if (!objectKey) {
    // Only an alias is printed ("Values Scan on "*VALUES*"", "Subquery Scan on s").
    raw.Alias = unquote(b ? `${a}.${b}` : a);
    if (alias) raw.Alias = `${raw.Alias} ${unquote(alias)}`;
    return;
  }
  const object = unquote(b ?? a);
  raw[objectKey] = object;
  if (b) raw.Schema = unquote(a);
  raw.Alias = alias ? unquote(alias) : object;
}

function unquote(ident: string): string {
  return ident.startsWith('"') && ident.endsWith('"') && ident.length >= 2 ? ident.slice(1, -1).replace(/""/g, '"') : ident;
}

// ---------------------------------------------------------------------------------------------------
// Details under a node

/** Lines grouped under the least-indented ones: each item with the deeper lines that follow it. */
function groupItems(lines: Line[]): Item[] {
  if (lines.length === 0) return [];
  const base = Math.min(...lines.map((line) => line.col));
  const items: Item[] = [];
  for (const line of lines) {
    if (line.col <= base || items.length === 0) items.push({ line, sub: [] });
    else items[items.length - 1].sub.push(line);
  }
  return items;
}

interface GroupingLine {
  label: string;
  value: string;
  sub: Item[];
}

function applyDetails(node: TextNode): void {
  const raw = node.raw;
  const grouping: GroupingLine[] = [];
  for (const item of groupItems(node.details)) applyItem(item, raw, grouping);
  if (grouping.length) applyGrouping(grouping, raw);
}

const MODIFY_TARGET = /^(Insert|Update|Delete|Merge|Foreign Insert|Foreign Update|Foreign Delete|Foreign Merge) on (.+)$/;

function applyItem(item: Item, target: Raw, grouping?: GroupingLine[]): void {
  const text = item.line.text;
  let m: RegExpExecArray | null;
  if ((m = /^Worker (\d+):\s*(.*)$/.exec(text))) {
    const worker = workerOf(target, Number(m[1]));
    if (m[2]) applyText(m[2], worker);
    for (const sub of groupItems(item.sub)) applyItem(sub, worker);
    return;
  }
  if (grouping && target['Node Type'] === 'Aggregate' && (m = /^(Group Key|Hash Key|Sort Key): (.*)$/.exec(text))) {
    grouping.push({ label: m[1], value: m[2], sub: groupItems(item.sub) });
    return;
  }
  if (target['Node Type'] === 'ModifyTable' && (m = MODIFY_TARGET.exec(text))) {
    const table: Raw = {};
    applyTarget(m[2], 'Relation Name', table);
    for (const sub of groupItems(item.sub)) applyItem(sub, table);
    const tables = Array.isArray(target['Target Tables']) ? (target['Target Tables'] as Raw[]) : (target['Target Tables'] = []);
    (tables as Raw[]).push(table);
    return;
  }
  if ((m = /^([A-Za-z][\w /-]*):$/.exec(text)) && item.sub.length) {
    // A block such as "JIT:" with its lines under it.
    const block: Raw = {};
    for (const sub of groupItems(item.sub)) applyItem(sub, block);
    target[m[1]] = block;
    return;
  }
  applyText(text, target);
  for (const sub of groupItems(item.sub)) applyItem(sub, target);
}

function workerOf(target: Raw, n: number): Raw {
  const workers = Array.isArray(target.Workers) ? (target.Workers as Raw[]) : (target.Workers = []);
  let worker = (workers as Raw[]).find((w) => w['Worker Number'] === n);
  if (!worker) {
    worker = { 'Worker Number': n };
    (workers as Raw[]).push(worker);
  }
  return worker;
}

/** "Group Key"/"Hash Key"/"Sort Key" lines of an Aggregate: one plain group key, or grouping sets. */
function applyGrouping(lines: GroupingLine[], raw: Raw): void {
  if (lines.length === 1 && lines[0].label === 'Group Key' && lines[0].sub.length === 0 && lines[0].value !== '()') {
    raw['Group Key'] = splitList(lines[0].value);
    return;
  }
  const sets: Raw[] = [];
  let current: Raw | undefined;
  const keys = (value: string) => (value === '()' ? [] : splitList(value));
  for (const line of lines) {
    if (line.label === 'Sort Key') {
      current = { 'Sort Key': splitList(line.value), 'Group Keys': [] };
      sets.push(current);
      for (const sub of line.sub) {
        const m = /^(Group Key|Hash Key): (.*)$/.exec(sub.line.text);
        if (m) (current['Group Keys'] as unknown[]).push(keys(m[2]));
      }
      continue;
    }
    // Each hashed set is an Aggregate of its own (one "Hash Key" each); the sorted sets of one Aggregate
    // (a ROLLUP's "Group Key: a, b" / "Group Key: a" / "Group Key: ()") share one.
    const setName = line.label === 'Hash Key' ? 'Hash Keys' : 'Group Keys';
    if (!current || setName === 'Hash Keys' || 'Sort Key' in current || !(setName in current)) {
      current = { [setName]: [] };
      sets.push(current);
    }
    (current[setName] as unknown[]).push(keys(line.value));
  }
  raw['Grouping Sets'] = sets;
}

/** JSON's value type for labels whose text form is ambiguous. */
const LIST_LABELS = new Set(['Output', 'Sort Key', 'Presorted Key', 'Group Key', 'Hash Key', 'Params Evaluated', 'Conflict Arbiter Indexes', 'Sampling Parameters']);
const BOOL_LABELS = new Set(['Inner Unique', 'Single Copy', 'Disabled', 'Async Capable', 'Parallel Aware']);
const STRING_LABELS = new Set([
  'Filter',
  'Join Filter',
  'Index Cond',
  'Recheck Cond',
  'Hash Cond',
  'Merge Cond',
  'TID Cond',
  'Order By',
  'One-Time Filter',
  'Run Condition',
  'Conflict Filter',
  'Conflict Resolution',
  'Cache Key',
  'Cache Mode',
  'Window',
  'Function Call',
  'Table Function Call',
  'Remote SQL',
  'Relations',
  'Repeatable Seed',
  'Sort Method',
  'Storage',
]);

const NUMBER = /^(-?\d+(?:\.\d+)?)(?: ?(?:ms|kB))?$/;

/** One detail line (without what is indented under it) → raw keys. */
function applyText(text: string, target: Raw): void {
  let m: RegExpExecArray | null;
  if ((m = /^Buffers:(.*)$/.exec(text))) return applyBuffers(m[1], target);
  if ((m = /^I\/O Timings:(.*)$/.exec(text))) return applyIoTimings(m[1], target);
  if ((m = /^WAL:(.*)$/.exec(text))) {
    const pairs: Array<[string, RegExp]> = [
      ['WAL Records', /records=(\d+)/],
      ['WAL FPI', /fpi=(\d+)/],
      ['WAL Bytes', /bytes=(\d+)/],
      ['WAL Buffers Full', /buffers full=(\d+)/],
    ];
    for (const [key, re] of pairs) {
      const v = re.exec(m[1]);
      if (v) target[key] = Number(v[1]);
    }
    fillWal(target, false);
    return;
  }
  if ((m = /^Sort Method: (.+?)\s+(Memory|Disk): (\d+)kB$/.exec(text))) {
    target['Sort Method'] = m[1];
    target['Sort Space Used'] = Number(m[3]);
    target['Sort Space Type'] = m[2];
    return;
  }
  if ((m = /^(Full-sort|Pre-sorted) Groups: (\d+)\s+Sort Methods?: (.+?)((?:\s+(?:Average|Peak) (?:Memory|Disk): \d+kB)*)$/.exec(text))) {
    const group: Raw = { 'Group Count': Number(m[2]), 'Sort Methods Used': m[3].split(', ') };
    for (const type of ['Memory', 'Disk']) {
      const avg = new RegExp(`Average ${type}: (\\d+)kB`).exec(m[4]);
      const peak = new RegExp(`Peak ${type}: (\\d+)kB`).exec(m[4]);
      if (avg || peak) group[`Sort Space ${type}`] = { 'Average Sort Space Used': Number(avg?.[1] ?? 0), 'Peak Sort Space Used': Number(peak?.[1] ?? 0) };
    }
    target[`${m[1]} Groups`] = group;
    return;
  }
  if ((m = /^Buckets: (\d+)(?: \(originally (\d+)\))?\s+Batches: (\d+)(?: \(originally (\d+)\))?\s+Memory Usage: (\d+)kB$/.exec(text))) {
    target['Hash Buckets'] = Number(m[1]);
    target['Original Hash Buckets'] = Number(m[2] ?? m[1]);
    target['Hash Batches'] = Number(m[3]);
    target['Original Hash Batches'] = Number(m[4] ?? m[3]);
    target['Peak Memory Usage'] = Number(m[5]);
    return;
  }
  if ((m = /^(?:Planned Partitions: (\d+))?\s*(?:Batches: (\d+)\s+Memory Usage: (\d+)kB(?:\s+Disk Usage: (\d+)kB)?)?$/.exec(text)) && (m[1] || m[2])) {
    if (m[1]) target['Planned Partitions'] = Number(m[1]);
    if (m[2]) {
      target['HashAgg Batches'] = Number(m[2]);
      target['Peak Memory Usage'] = Number(m[3]);
      target['Disk Usage'] = Number(m[4] ?? 0);
    }
    return;
  }
  if ((m = /^Hits: (\d+)\s+Misses: (\d+)\s+Evictions: (\d+)\s+Overflows: (\d+)\s+Memory Usage: (\d+)kB$/.exec(text))) {
    target['Cache Hits'] = Number(m[1]);
    target['Cache Misses'] = Number(m[2]);
    target['Cache Evictions'] = Number(m[3]);
    target['Cache Overflows'] = Number(m[4]);
    target['Peak Memory Usage'] = Number(m[5]);
    return;
  }
  if ((m = /^Heap Blocks:(?: exact=(\d+))?(?: lossy=(\d+))?$/.exec(text))) {
    target['Exact Heap Blocks'] = Number(m[1] ?? 0);
    target['Lossy Heap Blocks'] = Number(m[2] ?? 0);
    return;
  }
  if ((m = /^Storage: (\S+)\s+Maximum Storage: (\d+)kB$/.exec(text))) {
    target.Storage = m[1];
    target['Maximum Storage'] = Number(m[2]);
    return;
  }
  if ((m = /^actual (?:time=(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?) )?rows=(\d+(?:\.\d+)?) loops=(\d+)$/.exec(text))) {
    if (m[1] !== undefined) {
      target['Actual Startup Time'] = Number(m[1]);
      target['Actual Total Time'] = Number(m[2]);
    }
    target['Actual Rows'] = Number(m[3]);
    target['Actual Loops'] = Number(m[4]);
    return;
  }
  if ((m = /^Memory: used=(\d+)kB\s+allocated=(\d+)kB$/.exec(text))) {
    target['Memory Used'] = Number(m[1]);
    target['Memory Allocated'] = Number(m[2]);
    return;
  }
  if ((m = /^Tuples:((?: (?:inserted|updated|deleted|skipped)=\d+)*)$/.exec(text))) {
    for (const kind of ['inserted', 'updated', 'deleted', 'skipped']) {
      const v = new RegExp(`${kind}=(\\d+)`).exec(m[1]);
      target[`Tuples ${kind[0].toUpperCase()}${kind.slice(1)}`] = Number(v?.[1] ?? 0);
    }
    return;
  }
  if ((m = /^Sampling: (\S+) \((.*?)\)(?: REPEATABLE \((.*)\))?$/.exec(text))) {
    target['Sampling Method'] = m[1];
    target['Sampling Parameters'] = splitList(m[2]);
    if (m[3] !== undefined) target['Repeatable Seed'] = m[3];
    return;
  }
  if ((m = /^([A-Za-z][\w /-]*?): (.*)$/.exec(text)) || (m = /^([A-Za-z][\w /-]*):()$/.exec(text))) {
    setLabelled(target, m[1], m[2]);
    return;
  }
  const unparsed = Array.isArray(target['Unparsed Lines']) ? (target['Unparsed Lines'] as string[]) : (target['Unparsed Lines'] = []);
  (unparsed as string[]).push(text);
}

function setLabelled(target: Raw, label: string, value: string): void {
  let parsed: unknown;
  if (LIST_LABELS.has(label)) parsed = splitList(value);
  else if (BOOL_LABELS.has(label) && (value === 'true' || value === 'false')) parsed = value === 'true';
  else if (!STRING_LABELS.has(label) && NUMBER.test(value)) parsed = Number(NUMBER.exec(value)![1]);
  else parsed = value;
  if (label in target && !LIST_LABELS.has(label)) {
    // A label that repeats (rare; e.g. several "Remote SQL" lines): keep every value.
    const previous = target[label];
    target[label] = Array.isArray(previous) ? [...previous, parsed] : [previous, parsed];
    return;
  }
  if (label in target && Array.isArray(target[label]) && Array.isArray(parsed)) target[label] = [...(target[label] as unknown[]), ...parsed];
  else target[label] = parsed;
}

const SCOPES: Record<string, string> = { shared: 'Shared', local: 'Local', temp: 'Temp' };
const BLOCK_KINDS: Record<string, string> = { hit: 'Hit', read: 'Read', dirtied: 'Dirtied', written: 'Written' };

/** " shared hit=1 read=2, local hit=3, temp read=4 written=5" → every buffer counter (missing ones 0). */
function applyBuffers(text: string, target: Raw): void {
  fillBuffers(target);
  for (const part of text.split(',')) {
    const words = part.trim().split(/\s+/);
    const scope = SCOPES[words[0]];
    if (!scope) continue;
    for (const word of words.slice(1)) {
      const kv = /^(\w+)=(\d+)$/.exec(word);
      if (kv && BLOCK_KINDS[kv[1]]) target[`${scope} ${BLOCK_KINDS[kv[1]]} Blocks`] = Number(kv[2]);
    }
  }
}

/** JSON's WAL counters ("WAL Buffers Full" from PostgreSQL 18 on); text prints only the non-zero ones. */
function fillWal(target: Raw, buffersFull: boolean): void {
  for (const key of ['WAL Records', 'WAL FPI', 'WAL Bytes', ...(buffersFull ? ['WAL Buffers Full'] : [])]) if (!(key in target)) target[key] = 0;
}

function fillBuffers(target: Raw): void {
  for (const [, key] of bufferKeys()) if (!(key in target)) target[key] = 0;
}

/** PostgreSQL 16+: " shared read=1.0 write=2.0, local …, temp …"; 13–15: " read=1.0 write=2.0[, temp …]". */
function applyIoTimings(text: string, target: Raw): void {
  for (const part of text.split(',')) {
    const words = part.trim().split(/\s+/);
    const scope = SCOPES[words[0]];
    for (const word of scope ? words.slice(1) : words) {
      const kv = /^(read|write)=(\d+(?:\.\d+)?)$/.exec(word);
      if (!kv) continue;
      const kind = kv[1] === 'read' ? 'Read' : 'Write';
      target[scope ? `${scope} I/O ${kind} Time` : `I/O ${kind} Time`] = Number(kv[2]);
    }
  }
}

/** A list EXPLAIN joined with ", ": split at top-level commas, outside quotes and brackets. */
function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0 && value[i + 1] === ' ') {
      out.push(value.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(value.slice(start));
  return value === '' ? [] : out;
}

// ---------------------------------------------------------------------------------------------------
// The values text leaves out and JSON always prints

interface PlanFlags {
  analyzed: boolean;
  timing: boolean;
  buffers: boolean;
  wal: boolean;
  verbose: boolean;
  costs: boolean;
  /** PostgreSQL 18 or later (actual rows with decimals). */
  fractionalRows: boolean;
}

const JOINS = new Set(['Nested Loop', 'Hash Join', 'Merge Join']);

function fillDefaults(node: TextNode, flags: PlanFlags): void {
  const raw = node.raw;
  const type = raw['Node Type'];
  if (flags.analyzed) {
    if (node.neverExecuted) {
      if (flags.timing) {
        raw['Actual Startup Time'] = 0;
        raw['Actual Total Time'] = 0;
      }
      raw['Actual Rows'] = 0;
      raw['Actual Loops'] = 0;
    }
    const zero = (key: string) => {
      if (!(key in raw)) raw[key] = 0;
    };
    if ('Filter' in raw) zero('Rows Removed by Filter');
    if ('Join Filter' in raw) zero('Rows Removed by Join Filter');
    if ('Conflict Filter' in raw) zero('Rows Removed by Conflict Filter');
    if ((type === 'Index Scan' || type === 'Index Only Scan') && 'Index Cond' in raw) zero('Rows Removed by Index Recheck');
    if (type === 'Bitmap Heap Scan') {
      if ('Recheck Cond' in raw) zero('Rows Removed by Index Recheck');
      zero('Exact Heap Blocks');
      zero('Lossy Heap Blocks');
    }
    if (type === 'Aggregate' && 'HashAgg Batches' in raw) zero('Disk Usage');
    if (type === 'ModifyTable' && raw.Operation === 'Merge') ['Tuples Inserted', 'Tuples Updated', 'Tuples Deleted', 'Tuples Skipped'].forEach(zero);
    if (flags.buffers) fillBuffers(raw);
    if (flags.wal) fillWal(raw, flags.fractionalRows);
  }
  if (type === 'Aggregate' && (raw.Strategy === 'Hashed' || raw.Strategy === 'Mixed') && flags.costs && !('Planned Partitions' in raw)) raw['Planned Partitions'] = 0;
  if ((type === 'Append' || type === 'Merge Append') && !('Subplans Removed' in raw)) raw['Subplans Removed'] = 0;
  if (type === 'Gather' && !('Single Copy' in raw)) raw['Single Copy'] = false;
  if (typeof type === 'string' && JOINS.has(type) && flags.verbose && !('Inner Unique' in raw)) raw['Inner Unique'] = false;
}

// ---------------------------------------------------------------------------------------------------
// The summary after the tree

function applySummaryItem(item: Item, top: Raw): void {
  const text = item.line.text;
  let m: RegExpExecArray | null;
  if ((m = /^(Planning|Execution) [Tt]ime: (\d+(?:\.\d+)?) ms$/.exec(text))) {
    top[`${m[1]} Time`] = Number(m[2]);
    return;
  }
  if ((m = /^Total runtime: (\d+(?:\.\d+)?) ms$/.exec(text))) {
    top['Execution Time'] = Number(m[1]);
    return;
  }
  if ((m = /^Settings: (.*)$/.exec(text))) {
    top.Settings = parseSettings(m[1]);
    return;
  }
  if ((m = /^Trigger(.*?): (?:time=(\d+(?:\.\d+)?) )?calls=(\d+)$/.exec(text))) {
    const triggers = Array.isArray(top.Triggers) ? (top.Triggers as Raw[]) : (top.Triggers = []);
    (triggers as Raw[]).push(parseTrigger(m[1], m[2], m[3]));
    return;
  }
  if ((m = /^Serialization: (.*)$/.exec(text))) {
    const s: Raw = {};
    const time = /time=(\d+(?:\.\d+)?) ms/.exec(m[1]);
    const output = /output=(\d+)kB/.exec(m[1]);
    const format = /format=(\w+)/.exec(m[1]);
    if (time) s.Time = Number(time[1]);
    if (output) s['Output Volume'] = Number(output[1]);
    if (format) s.Format = format[1];
    for (const sub of groupItems(item.sub)) applyItem(sub, s);
    top.Serialization = s;
    return;
  }
  applyItem(item, top);
}

/** "a = 'x', b = 'y'" → { a: "x", b: "y" }. Values are not escaped by EXPLAIN, so split at ", name = '". */
function parseSettings(text: string): Raw {
  const settings: Raw = {};
  for (const part of text.split(/, (?=[A-Za-z_][\w.]* = (?:'|NULL))/)) {
    const m = /^([A-Za-z_][\w.]*) = (?:'(.*)'|NULL)$/s.exec(part);
    if (m) settings[m[1]] = m[2] ?? '';
  }
  return settings;
}

/** " name[ for constraint c][ on rel]" (the name absent for a constraint trigger without VERBOSE). */
function parseTrigger(desc: string, time: string | undefined, calls: string): Raw {
  const trigger: Raw = {};
  let rest = desc;
  let relation: string | undefined;
  const constraintAt = rest.indexOf(' for constraint ');
  let constraint: string | undefined;
  if (constraintAt >= 0) {
    constraint = rest.slice(constraintAt + ' for constraint '.length);
    rest = rest.slice(0, constraintAt);
    const on = constraint.lastIndexOf(' on ');
    if (on >= 0) {
      relation = constraint.slice(on + 4);
      constraint = constraint.slice(0, on);
    }
  } else {
    const on = rest.lastIndexOf(' on ');
    if (on > 0) {
      relation = rest.slice(on + 4);
      rest = rest.slice(0, on);
    }
  }
  const name = rest.trim();
  if (name) trigger['Trigger Name'] = name;
  if (constraint) trigger['Constraint Name'] = constraint;
  if (relation) trigger.Relation = relation;
  if (time !== undefined) trigger.Time = Number(time);
  trigger.Calls = Number(calls);
  return trigger;
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
