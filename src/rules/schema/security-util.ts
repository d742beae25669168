// Shared by the security rules (RLS, policies, views, functions): exposure, policy locations, and
// reading policy expressions as PostgreSQL prints them (pg_get_expr) with the real parser.
import { parseSync, scanSync } from '../../sql/pg-parser.js';
import { tableOrigin, type OriginMap } from '../../catalog/origin.js';
import type { Policy, Table } from '../../catalog/types.js';
import { quoteIdent } from '../../sql/quote.js';
import type { Location } from '../../types.js';
import type { AnyNode, SchemaRuleContext } from '../types.js';

/** Clients reach this schema through the API (PostgREST/Supabase): its tables need RLS. */
export function isExposed(ctx: Pick<SchemaRuleContext, 'exposedSchemas'>, schema: string): boolean {
  return ctx.exposedSchemas.includes(schema);
}

/** Tables that can carry row level security (foreign tables cannot). */
export function securableTables(tables: Table[]): Table[] {
  return tables.filter((t) => t.kind !== 'foreign table');
}

/** The CREATE POLICY statement of a policy, else the table. */
export function policyOrigin(origin: OriginMap, table: Table, policy: string): Location | undefined {
  return origin.tables[`${table.schema}.${table.name}`]?.policies[policy] ?? tableOrigin(origin, table.schema, table.name);
}

/** Policies in the order their CREATE POLICY statements were read (unknown ones last, by name). */
export function policiesInSourceOrder(origin: OriginMap, table: Table): Policy[] {
  const order = Object.keys(origin.tables[`${table.schema}.${table.name}`]?.policies ?? {});
  const rank = (p: Policy) => {
    const i = order.indexOf(p.name);
    return i === -1 ? order.length : i;
  };
  return [...table.policies].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

export type PolicyAction = 'select' | 'insert' | 'update' | 'delete';
export const POLICY_ACTIONS: PolicyAction[] = ['select', 'insert', 'update', 'delete'];

/** The actions a policy applies to: `all` is every one of them. */
export function policyActions(policy: Policy): PolicyAction[] {
  return policy.command === 'all' ? POLICY_ACTIONS : [policy.command];
}

/** `TO a, b` as SQL (`public` is the PUBLIC pseudo-role, written unquoted). */
export function roleList(roles: string[]): string {
  return roles.map((r) => (r === 'public' ? 'public' : quoteIdent(r))).join(', ');
}

/** A policy expression as pg_get_expr prints it, parsed as `select <expr>`: the expression node and the bytes it was parsed from. */
export interface ParsedExpression {
  node: AnyNode;
  /** `select <expr>` as UTF-8: parse-tree locations are byte offsets into it. */
  bytes: Buffer;
}

const PREFIX = 'select ';

/** Requires loadParser(). Undefined when the text is not a single expression. */
export function parseExpression(expr: string): ParsedExpression | undefined {
  const sql = PREFIX + expr;
  let tree: AnyNode | undefined;
  try {
    tree = parseSync(sql).stmts?.[0]?.stmt as AnyNode | undefined;
  } catch {
    return undefined;
  }
  const targets = tree?.SelectStmt?.targetList as AnyNode[] | undefined;
  if (!targets || targets.length !== 1 || tree?.SelectStmt?.fromClause) return undefined;
  return { node: targets[0].ResTarget.val, bytes: Buffer.from(sql) };
}

/** `true` as a whole expression (USING (true)), as PostgreSQL prints it. */
export function isAlwaysTrue(expr: string | undefined): boolean {
  if (expr === undefined) return false;
  const parsed = parseExpression(expr);
  const value = parsed?.node.A_Const;
  return value?.boolval !== undefined && value.boolval.boolval === true;
}

/**
 * Functions whose result is the same for every row of a statement, yet are called again for each
 * row unless written as a scalar subquery (`(select auth.uid())`), which PostgreSQL runs once as an
 * InitPlan: Supabase's auth helpers and current_setting() (what they read).
 */
const PER_STATEMENT_FUNCTIONS: Array<[schema: string | undefined, name: string]> = [
  ['auth', 'uid'],
  ['auth', 'jwt'],
  ['auth', 'role'],
  ['auth', 'email'],
  ['pg_catalog', 'current_setting'],
  [undefined, 'current_setting'],
];

export interface PerRowCall {
  /** As written in the expression, e.g. `auth.uid()`. */
  text: string;
  /** Byte span in ParsedExpression.bytes. */
  start: number;
  end: number;
}

const funcName = (call: AnyNode): string[] => (call.funcname ?? []).map((n: AnyNode) => n.String?.sval).filter(Boolean);

function isPerStatementFunction(call: AnyNode): boolean {
  const parts = funcName(call);
  const [schema, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  return PER_STATEMENT_FUNCTIONS.some(([s, n]) => s === schema && n === name);
}

/** Any column reference inside: then the value depends on the row, and a subquery would not run once. */
function refersToColumns(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(refersToColumns);
  if (!node || typeof node !== 'object') return false;
  if ('ColumnRef' in node) return true;
  return Object.values(node).some(refersToColumns);
}

/**
 * Calls of auth.uid()/auth.jwt()/auth.role()/auth.email()/current_setting() evaluated once per row:
 * those not inside a FROM-less scalar subquery such as `(select auth.uid())` (PostgreSQL turns that
 * into an InitPlan run once per statement). A call in the WHERE of a subquery that reads a table is
 * still run for each row that subquery reads, so it is reported too. Outermost calls only.
 */
export function perRowCalls(parsed: ParsedExpression): PerRowCall[] {
  const calls: AnyNode[] = [];
  const visit = (node: unknown, cached: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, cached));
    if (!node || typeof node !== 'object') return;
    const n = node as AnyNode;
    if (n.SelectStmt) {
      const select = n.SelectStmt as AnyNode;
      // The nearest SELECT decides: without FROM it is evaluated once (when uncorrelated).
      const once = !select.fromClause?.length;
      for (const [key, value] of Object.entries(select)) visit(value, key === 'fromClause' ? true : once);
      return;
    }
    if (n.FuncCall) {
      const call = n.FuncCall as AnyNode;
      if (!cached && isPerStatementFunction(call) && !refersToColumns(call.args)) {
        calls.push(call);
        return;
      }
    }
    for (const value of Object.values(n)) visit(value, cached);
  };
  visit(parsed.node, false);
  const tokens = scanSync(parsed.bytes.toString()).tokens;
  return calls.flatMap((call) => {
    const start = call.location as number;
    // The call ends at the parenthesis that closes its argument list.
    const open = tokens.findIndex((t) => t.start >= start && t.text === '(');
    if (open === -1) return [];
    let depth = 0;
    for (let i = open; i < tokens.length; i++) {
      if (tokens[i].text === '(') depth++;
      else if (tokens[i].text === ')' && --depth === 0) {
        const end = tokens[i].end;
        return [{ text: parsed.bytes.subarray(start, end).toString(), start, end }];
      }
    }
    return [];
  });
}

/** The expression with each call wrapped as `(select call)`. */
export function wrapCalls(parsed: ParsedExpression, calls: PerRowCall[]): string {
  let bytes = parsed.bytes;
  for (const call of [...calls].sort((a, b) => b.start - a.start)) {
    bytes = Buffer.concat([bytes.subarray(0, call.start), Buffer.from(`(select ${call.text})`), bytes.subarray(call.end)]);
  }
  return bytes.subarray(Buffer.byteLength(PREFIX)).toString();
}
