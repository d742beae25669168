// Helpers the object rules share: reading parse-tree options, naming relations as the statement wrote
// them, recognising objects created earlier in the same migration, and cutting clauses out of a
// statement's text for fixes (token-exact with the real scanner, never regexes).
import { parseSync, scanSync } from '../../sql/pg-parser.js';
import type { Table } from '../../catalog/types.js';
import { transactionControl } from '../../lint/apply.js';
import { quoteIdent, truncateIdentifier } from '../../sql/quote.js';
import type { Statement } from '../../sql/parse.js';
import type { AnyNode, MigrationRuleContext } from '../types.js';
import { names, statementText } from './util.js';

type RangeVar = { schemaname?: string; relname: string; inh?: boolean };

/** Whether a DefElem list turns an option on: `FULL`, `(CONCURRENTLY)`, `(FULL true)` — not `(FULL false)`. */
export function optionOn(options: AnyNode[] | undefined, name: string): boolean {
  const def = (options ?? []).map((o) => o.DefElem as AnyNode | undefined).find((d) => d?.defname === name);
  if (!def) return false;
  const arg = def.arg as AnyNode | undefined;
  if (!arg) return true;
  // The parser omits false and zero values: `(FULL 0)` is `{ Integer: {} }`.
  if (arg.String) return !['false', 'off', 'no', '0'].includes(String(arg.String.sval).toLowerCase());
  if (arg.Integer) return Boolean(arg.Integer.ival);
  if (arg.Boolean) return Boolean(arg.Boolean.boolval);
  return true;
}

/** Whether a DefElem list names an option at all (whatever its value). */
export const hasOption = (options: AnyNode[] | undefined, name: string) => (options ?? []).some((o) => o.DefElem?.defname === name);

/** A relation as the statement wrote it (schema only when given), quoted where needed, for fixes. */
export function relationName(rv: RangeVar): string {
  return rv.schemaname ? `${quoteIdent(rv.schemaname)}.${quoteIdent(rv.relname)}` : quoteIdent(rv.relname);
}

/** `ONLY name` when the statement wrote ONLY (the parser drops `inh`), else the name. */
export const onlyRelationName = (rv: RangeVar) => `${rv.inh ? '' : 'ONLY '}${relationName(rv)}`;

/** A qualified name from a List of String nodes (DROP objects, type names), as written. */
export function listName(list: AnyNode): RangeVar | undefined {
  const parts = names(list.List?.items);
  if (!parts.length) return undefined;
  return parts.length > 1 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] };
}

/** Same object name as written: the last parts match, and the schemas too when both statements give one. */
export function sameName(a: string[], b: string[]): boolean {
  if (!a.length || !b.length || a[a.length - 1] !== b[b.length - 1]) return false;
  return a.length < 2 || b.length < 2 || a[a.length - 2] === b[b.length - 2];
}

/** Statements of this migration that ran before the current one. */
export function earlierStatements(ctx: MigrationRuleContext): Statement[] {
  return ctx.file.statements.filter((s) => s.index < ctx.stmt.index);
}

/**
 * The earlier statement of this migration that created an object (schemas and types are not tables,
 * so the catalog view does not track them as new), or undefined.
 */
export function createdEarlier(ctx: MigrationRuleContext, kind: string, creates: (node: AnyNode) => boolean): Statement | undefined {
  // The kind first: reading a tree of a long file may parse it again (tree-cache.ts).
  return earlierStatements(ctx).find((s) => s.kind === kind && creates((s.node as AnyNode)[s.kind] as AnyNode));
}

/** An enum type created earlier in this migration by CREATE TYPE … AS ENUM, by name as written. */
export function enumCreatedEarlier(ctx: MigrationRuleContext, typeName: string[]): Statement | undefined {
  return createdEarlier(ctx, 'CreateEnumStmt', (node) => sameName(names(node.typeName), typeName));
}

/** Whether a transaction started or ended between an earlier statement and the current one. */
export function transactionBoundarySince(ctx: MigrationRuleContext, since: Statement): boolean {
  return earlierStatements(ctx).some((s) => s.index > since.index && transactionControl(s) !== undefined);
}

/**
 * The name PostgreSQL gives an unnamed constraint (ChooseConstraintName): `table_col1_col2_suffix`,
 * numbered when the table already uses it. Only a guess for the fix; PostgreSQL's own truncation
 * of long names differs slightly.
 */
export function defaultConstraintName(table: Table, columns: string[], suffix: 'fkey' | 'check' | 'key' | 'pkey' | 'excl'): string {
  const taken = new Set([...table.constraints.map((c) => c.name), ...table.indexes.map((i) => i.name)]);
  const base = [table.name, ...columns].join('_');
  for (let n = 0; ; n++) {
    const name = truncateIdentifier(`${base}_${suffix}${n ? n : ''}`);
    if (!taken.has(name)) return name;
  }
}

/** Column names a CHECK expression refers to (ColumnRefs), distinct, in order. */
export function referencedColumns(expr: unknown, out: string[] = []): string[] {
  if (Array.isArray(expr)) for (const e of expr) referencedColumns(e, out);
  else if (expr && typeof expr === 'object') {
    const ref = (expr as AnyNode).ColumnRef as AnyNode | undefined;
    const column = ref ? names(ref.fields).pop() : undefined;
    if (column && !out.includes(column)) out.push(column);
    for (const v of Object.values(expr)) referencedColumns(v, out);
  }
  return out;
}

/**
 * The source text of the constraint that the statement's n-th ALTER TABLE subcommand adds, from the
 * constraint's first keyword to the end of that subcommand, comments and layout kept.
 */
export function addedConstraintText(ctx: MigrationRuleContext, commandIndex: number): string | undefined {
  const sql = statementText(ctx);
  // Parse-tree locations are byte offsets into the parsed text: re-parse the statement alone so they
  // are offsets into its own text.
  const tree = parseSync(sql).stmts?.[0]?.stmt as AnyNode | undefined;
  const start = tree?.AlterTableStmt?.cmds?.[commandIndex]?.AlterTableCmd?.def?.Constraint?.location;
  return typeof start === 'number' ? clauseFrom(sql, start) : undefined;
}

const isComment = (t: { tokenName: string }) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT';

/** Text from byte offset `start` to the end of its comma-separated clause (a `,` outside brackets). */
export function clauseFrom(sql: string, start: number): string {
  let depth = 0;
  let end = start;
  for (const t of scanSync(sql).tokens) {
    if (t.start < start || isComment(t)) continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (t.text === ',' && depth === 0) break;
    end = t.end;
  }
  return Buffer.from(sql).subarray(start, end).toString();
}

/** The statement text with `insertion` after its last token (before any trailing comment). */
export function appendToStatement(sql: string, insertion: string): string {
  const last = scanSync(sql).tokens.filter((t) => !isComment(t)).pop();
  if (!last) return `${sql} ${insertion}`;
  const bytes = Buffer.from(sql);
  return `${bytes.subarray(0, last.end).toString()} ${insertion}${bytes.subarray(last.end).toString()}`;
}
