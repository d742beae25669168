// Shared wording and DDL for the plan rules: how a node is named, how row counts read, what index or
// setting a finding proposes.
import { scanSync } from '../../sql/pg-parser.js';
import { conditionColumns, isSingleConstantEquality, unqualify } from '../../explain/expr.js';
import { describeNode } from '../../explain/timing.js';
import type { PlanNode } from '../../explain/types.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type PlanRule } from '../types.js';

/** A finding about one node: names it, points at it (planNode) and at its relation (object). */
export function nodeFinding(rule: PlanRule, node: PlanNode, fields: Omit<Finding, 'rule' | 'severity' | 'docs' | 'planNode'> & { severity?: Finding['severity'] }): Finding {
  const object = fields.object ?? relationObject(node);
  return { ...finding(rule, { ...fields, ...(object ? { object } : {}) }), planNode: node.id };
}

export function relationObject(node: PlanNode): string | undefined {
  if (!node.relation) return undefined;
  return node.schema ? `${node.schema}.${node.relation}` : node.relation;
}

/** The relation as DDL writes it (schema-qualified when the plan says which schema: VERBOSE plans do). */
export function relationSql(node: PlanNode): string | undefined {
  if (!node.relation) return undefined;
  return node.schema ? quoteQualified(node.schema, node.relation) : quoteIdent(node.relation);
}

export const nodeName = describeNode;

/** 1234 → "1,234"; 1_200_000 → "1.2M": row counts as people say them. */
export function rowsText(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9)}G`;
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e5) return `${trim(n / 1e3)}k`;
  return Math.round(n).toLocaleString('en-US');
}

const trim = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1).replace(/\.0$/, '') : x.toFixed(2).replace(/\.?0+$/, ''));

export const percent = (share: number) => `${(share * 100).toFixed(share >= 0.999 && share < 1 ? 2 : 1)}%`;

/**
 * An index that would serve a node's conditions: equality columns first, then one range column (B-tree
 * order); a one-column equality on a constant that keeps few rows becomes a partial index on that value.
 */
export function indexForCondition(node: PlanNode, conditions: Array<string | undefined>, options: { keptShare?: number; parameterValues?: boolean } = {}): string | undefined {
  const table = relationSql(node);
  if (!table) return undefined;
  const alias = node.alias ?? node.relation;
  const equality: string[] = [];
  const range: string[] = [];
  const expressions: string[] = [];
  for (const condition of conditions) {
    const cols = conditionColumns(condition, alias);
    for (const c of cols.equality) if (!equality.includes(c)) equality.push(c);
    for (const c of cols.range) if (!range.includes(c) && !equality.includes(c)) range.push(c);
    for (const e of cols.expressions) if (!expressions.includes(e)) expressions.push(e);
  }
  // Expression keys are written in their own parentheses, as CREATE INDEX requires.
  const keys = [...equality.map(quoteIdent), ...expressions.map((e) => `(${e})`), ...range.slice(0, 1).map(quoteIdent)];
  if (keys.length === 0) return undefined;
  const only = conditions.filter(Boolean);
  // A constant that was a parameter's value stands for every value the statement is run with.
  const partial = !options.parameterValues && only.length === 1 && isSingleConstantEquality(only[0]) && (options.keptShare ?? 1) <= 0.05;
  const where = partial ? ` WHERE ${stripOuterParens(unqualify(only[0] as string, alias))}` : '';
  return `CREATE INDEX CONCURRENTLY ON ${table} (${keys.join(', ')})${where};`;
}

/** "(a = 1)" → "a = 1": plans wrap every condition in one pair of parentheses (tokens, so literals are safe). */
export function stripOuterParens(expr: string): string {
  const t = expr.trim();
  let tokens;
  try {
    tokens = scanSync(t).tokens;
  } catch {
    return t;
  }
  if (tokens.length < 2 || tokens[0].text !== '(' || tokens[tokens.length - 1].text !== ')') return t;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].text === '(') depth++;
    else if (tokens[i].text === ')') depth--;
    if (depth === 0 && i < tokens.length - 1) return t; // the first "(" closes early: "(a) AND (b)"
  }
  const bytes = Buffer.from(t);
  return bytes.subarray(tokens[0].end, tokens[tokens.length - 1].start).toString().trim();
}

/** A work_mem setting (in MB, rounded up to a power of two, at least 4MB) for an operation that needed `kb`. */
export function workMemFor(kb: number): string {
  let mb = 4;
  while (mb * 1024 < kb) mb *= 2;
  return `${mb}MB`;
}
