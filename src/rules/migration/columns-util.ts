// Helpers the column rules share: reading column definitions from the parse tree, slicing clause
// text out of the statement for fixes, and the expand/contract SQL (batched backfill, NOT NULL
// without a long scan) that their fixes are made of.
import { parseSync, scanSync } from '../../sql/pg-parser.js';
import type { ScanToken } from 'libpg-query';
import { isConstantExpression } from '../../migrate/statement.js';
import type { Column, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import type { ParsedFile, Statement } from '../../sql/parse.js';
import type { AnyNode, MigrationRuleContext } from '../types.js';
import { alterCommands, names } from './util.js';

// ---- Reading the parse tree ----

/** ALTER TABLE … ADD COLUMN subcommands with their ColumnDef, in statement order. */
export function addColumnCommands(ctx: MigrationRuleContext): Array<{ cmd: AnyNode; def: AnyNode; index: number }> {
  return alterCommands(ctx).flatMap((cmd, index) => (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef ? [{ cmd, def: cmd.def.ColumnDef as AnyNode, index }] : []));
}

/** ALTER TABLE subcommands of one kind (e.g. 'AT_SetNotNull'), with their index in the statement. */
export function commandsOf(ctx: MigrationRuleContext, subtype: string): Array<{ cmd: AnyNode; index: number }> {
  return alterCommands(ctx).flatMap((cmd, index) => (cmd.subtype === subtype ? [{ cmd, index }] : []));
}

/** The Constraint nodes of a ColumnDef (DEFAULT, NOT NULL, IDENTITY, GENERATED, CHECK…). */
const columnConstraints = (def: AnyNode): AnyNode[] => (def.constraints ?? []).map((c: AnyNode) => c.Constraint as AnyNode).filter(Boolean);

export const constraintOf = (def: AnyNode, contype: string): AnyNode | undefined => columnConstraints(def).find((c) => c.contype === contype);

/** `NULL` or `NULL::type`: a default that is no default at all. */
function isNullConstant(expr: AnyNode | undefined): boolean {
  if (!expr) return false;
  if (expr.TypeCast) return isNullConstant(expr.TypeCast.arg);
  return Boolean(expr.A_Const?.isnull);
}

/** A literal, possibly cast (`0`, `'x'`, `'{}'::jsonb`): evaluated once, never per row. */
export const isConstant = isConstantExpression;

/** The column's DEFAULT expression, unless it is absent or NULL. */
export function defaultExpression(def: AnyNode): AnyNode | undefined {
  const expr = constraintOf(def, 'CONSTR_DEFAULT')?.raw_expr as AnyNode | undefined;
  return expr && !isNullConstant(expr) ? expr : undefined;
}

/** serial pseudo-types: the integer type each really creates. */
const SERIAL_TYPES: Record<string, string> = { smallserial: 'smallint', serial2: 'smallint', serial: 'integer', serial4: 'integer', bigserial: 'bigint', serial8: 'bigint' };

/** The integer type behind a serial column definition (`serial` → integer), else undefined. */
export function serialType(def: AnyNode): string | undefined {
  const typeNames = names(def.typeName?.names);
  return typeNames.length === 1 && !def.typeName?.arrayBounds ? SERIAL_TYPES[typeNames[0]] : undefined;
}

/** Columns whose values PostgreSQL computes itself (identity, generated, serial): other rules own them. */
export function isComputedColumn(def: AnyNode): boolean {
  return Boolean(constraintOf(def, 'CONSTR_IDENTITY') || constraintOf(def, 'CONSTR_GENERATED') || serialType(def));
}

/** Whether the ALTER TABLE adds a column named `column` to the same relation in an earlier statement of this file. */
export function addedEarlierInFile(ctx: MigrationRuleContext, relation: AnyNode, column: string): boolean {
  const added = addedColumns(ctx.file).get(`${relation.relname}\0${column}`) ?? [];
  return added.some((a) => a.index < ctx.stmt.index && sameRelation(a.relation, relation));
}

/**
 * Every ADD COLUMN of a file by relation name and column, read once per file: asked for each later
 * statement, a walk over the earlier ones was quadratic, and a long file's trees are parsed again
 * each time they are read (tree-cache.ts) — a 14,000-statement file took minutes.
 */
const addedByFile = new WeakMap<ParsedFile, Map<string, Array<{ index: number; relation: AnyNode }>>>();

function addedColumns(file: ParsedFile): Map<string, Array<{ index: number; relation: AnyNode }>> {
  let added = addedByFile.get(file);
  if (added) return added;
  added = new Map();
  for (const stmt of file.statements) {
    if (stmt.kind !== 'AlterTableStmt') continue;
    const node = (stmt.node as AnyNode).AlterTableStmt as AnyNode | undefined;
    if (!node?.relation) continue;
    for (const c of node.cmds ?? []) {
      const cmd = c.AlterTableCmd as AnyNode;
      if (cmd?.subtype !== 'AT_AddColumn' || !cmd.def?.ColumnDef?.colname) continue;
      const key = `${node.relation.relname}\0${cmd.def.ColumnDef.colname}`;
      const entry = { index: stmt.index, relation: { relname: node.relation.relname, schemaname: node.relation.schemaname } };
      const list = added.get(key);
      if (list) list.push(entry);
      else added.set(key, [entry]);
    }
  }
  addedByFile.set(file, added);
  return added;
}

export const sameRelation = (a: AnyNode | undefined, b: AnyNode | undefined): boolean =>
  Boolean(a && b && a.relname === b.relname && (!a.schemaname || !b.schemaname || a.schemaname === b.schemaname));

/** Every FuncCall name (last part, lower case) in an expression tree. */
function calledFunctions(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) calledFunctions(n, out);
  else if (node && typeof node === 'object') {
    const o = node as AnyNode;
    if (o.FuncCall) out.push(names(o.FuncCall.funcname).pop()?.toLowerCase() ?? '');
    for (const v of Object.values(o)) if (v && typeof v === 'object') calledFunctions(v, out);
  }
  return out;
}

// Known volatile functions, for parse-only mode where nothing runs and volatility cannot be read.
const VOLATILE = new Set(['random', 'random_normal', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'gen_random_bytes', 'clock_timestamp', 'timeofday', 'nextval']);

export const callsVolatileFunction = (expr: AnyNode | undefined): boolean => calledFunctions(expr).some((f) => VOLATILE.has(f));

/**
 * Subcommands that rewrite the table whatever the column types are: SET LOGGED / UNLOGGED / ACCESS METHOD,
 * and new columns PostgreSQL fills row by row (identity, serial, stored generated, a known volatile default).
 * Used to decide whether a measured rewrite can be blamed on something else in the same statement.
 */
export function knownRewriteCommands(ctx: MigrationRuleContext): AnyNode[] {
  return alterCommands(ctx).filter((cmd) => {
    if (['AT_SetAccessMethod', 'AT_SetLogged', 'AT_SetUnLogged'].includes(cmd.subtype)) return true;
    const def = cmd.subtype === 'AT_AddColumn' ? (cmd.def?.ColumnDef as AnyNode | undefined) : undefined;
    if (!def) return false;
    // PG 18 VIRTUAL generated columns are computed on read: no rewrite.
    const filled = constraintOf(def, 'CONSTR_IDENTITY') || serialType(def) || constraintOf(def, 'CONSTR_GENERATED')?.generated_kind === 's';
    return Boolean(filled) || callsVolatileFunction(defaultExpression(def));
  });
}

// ---- Names ----

/** `schema.table.column`, as messages name a column. */
export const columnPath = (table: Table, column: string) => `${table.schema}.${table.name}.${column}`;

/** The table as generated SQL writes it (quoted only where needed). */
export const tableSql = (table: Table) => quoteQualified(table.schema, table.name);

/** A string literal for generated SQL. */
export { quoteLiteral as sqlLiteral } from '../../sql/quote.js';

export const findColumn = (table: Table | undefined, name: string): Column | undefined => table?.columns.find((c) => c.name === name);

// ---- Clause text, for fixes that reuse what the user wrote ----

/** The statement parsed on its own: its tree's locations are byte offsets into `text`. */
interface StatementSource {
  bytes: Buffer;
  tokens: ScanToken[];
  node: AnyNode;
}

const sources = new WeakMap<Statement, StatementSource>();

/** The statement's own parse (parse-tree locations of ctx.node are relative to the whole file segment). */
export function statementSource(ctx: MigrationRuleContext): StatementSource {
  let src = sources.get(ctx.stmt);
  if (!src) {
    const stmt = parseSync(ctx.stmt.text).stmts?.[0]?.stmt as AnyNode;
    const tokens = scanSync(ctx.stmt.text).tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
    src = { bytes: Buffer.from(ctx.stmt.text), tokens, node: stmt[ctx.stmt.kind] as AnyNode };
    sources.set(ctx.stmt, src);
  }
  return src;
}

/** The same ALTER TABLE subcommand in the statement's own parse. */
export function sourceCommand(ctx: MigrationRuleContext, index: number): AnyNode | undefined {
  return statementSource(ctx).node.cmds?.[index]?.AlterTableCmd;
}

/**
 * Source text from the first token at or after byte `from`, up to (not including) a top-level comma,
 * a closing bracket that was not opened here, a token at or after byte `before`, or one of `words`.
 */
export function clauseText(src: StatementSource, from: number, stop: { before?: number; words?: string[] } = {}): string | undefined {
  let depth = 0;
  let first: ScanToken | undefined;
  let last: ScanToken | undefined;
  for (const t of src.tokens) {
    if (t.start < from) continue;
    if (depth === 0 && first) {
      if (t.text === ',' || (stop.before !== undefined && t.start >= stop.before)) break;
      if (t.keywordKind !== 0 && stop.words?.includes(t.text.toUpperCase())) break;
    }
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') {
      if (depth === 0) break;
      depth--;
    }
    first ??= t;
    last = t;
  }
  return first && last ? src.bytes.subarray(first.start, last.end).toString() : undefined;
}

/** Byte offset of the first token at or after `from` whose text is `word` (a keyword or punctuation). */
export function tokenAfter(src: StatementSource, from: number, word: string): number | undefined {
  return src.tokens.find((t) => t.start >= from && t.text.toUpperCase() === word)?.start;
}

/** Byte offset just after the token that starts at or after `from` (e.g. skip the DEFAULT keyword). */
function afterToken(src: StatementSource, at: number): number | undefined {
  const token = src.tokens.find((t) => t.start >= at);
  return token?.end;
}

/** Where a ColumnDef's clauses after the type begin (its first constraint or COLLATE), for bounding slices. */
function clauseStarts(def: AnyNode): number[] {
  const starts = columnConstraints(def).map((c) => c.location as number);
  if (def.collClause?.location !== undefined) starts.push(def.collClause.location);
  return starts.filter((l) => l !== undefined && l >= 0);
}

/** The type of a ColumnDef as written (`numeric(10, 2)`, `timestamp with time zone`). `def` must come from statementSource. */
export function columnTypeText(src: StatementSource, def: AnyNode): string | undefined {
  const start = def.typeName?.location;
  if (start === undefined) return undefined;
  const bounds = clauseStarts(def).filter((l) => l > start);
  return clauseText(src, start, { before: bounds.length ? Math.min(...bounds) : undefined, words: ['USING', 'COLLATE'] });
}

/** The expression of a ColumnDef's constraint as written: DEFAULT <expr>, GENERATED … AS (<expr>). */
export function constraintExpressionText(src: StatementSource, def: AnyNode, constraint: AnyNode): string | undefined {
  const at = constraint.location as number;
  const later = clauseStarts(def).filter((l) => l > at);
  const before = later.length ? Math.min(...later) : undefined;
  if (constraint.contype === 'CONSTR_DEFAULT') {
    const keyword = tokenAfter(src, at, 'DEFAULT');
    const from = keyword === undefined ? undefined : afterToken(src, keyword);
    return from === undefined ? undefined : clauseText(src, from, { before });
  }
  // GENERATED ALWAYS AS ( expr ) STORED: the text inside the parentheses.
  const open = tokenAfter(src, at, '(');
  return open === undefined ? undefined : clauseText(src, open + 1, { before });
}

// ---- Fix SQL ----

/** A closing comment for fixes that rebuild a column from its type alone: its other constraints are not in the steps. */
export function otherConstraintsNote(def: AnyNode, handled: string[]): string[] {
  const others = columnConstraints(def).filter((c) => !['CONSTR_NULL', ...handled].includes(c.contype));
  return others.length ? ['-- Then add the column\'s other constraints (PRIMARY KEY / UNIQUE through CREATE UNIQUE INDEX CONCURRENTLY, CHECK / REFERENCES as NOT VALID + VALIDATE).'] : [];
}

/** A single-column primary key to page through, when the table has one. */
function primaryKey(table: Table | undefined): { name: string; type: string } | undefined {
  const pk = table?.constraints.find((c) => c.type === 'primary key');
  if (!pk || pk.columns.length !== 1) return undefined;
  const column = findColumn(table, pk.columns[0]);
  return column && !column.isArray ? { name: column.name, type: column.type } : undefined;
}

/**
 * A batched backfill: keyset pagination over the primary key, 10,000 rows per batch, each batch
 * committed on its own (PG 11+ allows COMMIT in a DO block run outside a transaction block), so
 * no lock is held for long and autovacuum keeps up.
 */
export function batchedBackfill(table: Table, assignments: string, pending: string | undefined, pgVersion: number): string {
  const key = primaryKey(table);
  const k = quoteIdent(key?.name ?? 'id');
  const t = tableSql(table);
  const keyNote = key ? 'primary key' : 'a unique indexed key (no single-column primary key: replace id)';
  if (pgVersion < 11) {
    // No COMMIT inside DO before PG 11: the client drives the loop, one statement (transaction) per batch.
    return [
      `-- Backfill existing rows in batches of 10,000 by ${keyNote}: before PG 11 a DO block cannot COMMIT, so run`,
      '-- this from a script once per batch, :last_key starting below the smallest key, then the key it returned, until that is NULL:',
      `WITH batch AS (SELECT ${k} FROM ${t} WHERE ${k} > :'last_key' ORDER BY ${k} LIMIT 10000),`,
      `     done AS (UPDATE ${t} AS t SET ${assignments} FROM batch WHERE t.${k} = batch.${k}${pending ? ` AND t.${pending}` : ''} RETURNING t.${k})`,
      `SELECT max(${k}) AS last_key FROM batch;`,
    ].join('\n');
  }
  const body = [
    'DECLARE',
    `  batch_first ${key?.type ?? 'bigint'};`,
    `  batch_last ${key?.type ?? 'bigint'};`,
    'BEGIN',
    `  SELECT min(${k}) INTO batch_first FROM ${t};`,
    '  WHILE batch_first IS NOT NULL LOOP',
    `    SELECT max(${k}) INTO batch_last FROM (SELECT ${k} FROM ${t} WHERE ${k} >= batch_first ORDER BY ${k} LIMIT 10000) AS batch;`,
    `    UPDATE ${t} SET ${assignments} WHERE ${k} BETWEEN batch_first AND batch_last${pending ? ` AND ${pending}` : ''};`,
    '    COMMIT;',
    `    SELECT min(${k}) INTO batch_first FROM ${t} WHERE ${k} > batch_last;`,
    '  END LOOP;',
    'END',
  ].join('\n');
  const tag = body.includes('$$') ? '$backfill$' : '$$';
  return [
    `-- Backfill existing rows in batches of 10,000 by ${keyNote}, one transaction per batch.`,
    '-- Run it outside a transaction block (PG 11+: COMMIT inside DO), e.g. in a -- pgarch:no-transaction migration.',
    `DO ${tag}`,
    body,
    `${tag};`,
  ].join('\n');
}

/** Name for a temporary CHECK (col IS NOT NULL); not `<table>_<col>_not_null`, which PG 18 gives NOT NULL constraints. */
const notNullCheckName = (table: Table, column: string) => truncateIdentifier(`${table.name}_${column}_not_null_check`);

/**
 * SET NOT NULL without the long scan under ACCESS EXCLUSIVE: PG 12+ skips the scan when a validated
 * CHECK (col IS NOT NULL) already proves it, and VALIDATE CONSTRAINT scans under SHARE UPDATE EXCLUSIVE.
 */
export function onlineNotNull(table: Table, column: string, pgVersion: number): string {
  const t = tableSql(table);
  const c = quoteIdent(column);
  const check = quoteIdent(notNullCheckName(table, column));
  if (pgVersion < 12) {
    // Before PG 12, SET NOT NULL always scans under ACCESS EXCLUSIVE: keep the validated CHECK as the guarantee.
    return [
      `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${c} IS NOT NULL) NOT VALID;  -- brief lock, no scan`,
      `ALTER TABLE ${t} VALIDATE CONSTRAINT ${check};  -- scans, but reads and writes continue`,
      '-- Before PG 12, SET NOT NULL scans again whatever CHECK exists: keep the CHECK instead, until PG 12+.',
    ].join('\n');
  }
  return [
    `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${c} IS NOT NULL) NOT VALID;  -- brief lock, no scan`,
    `ALTER TABLE ${t} VALIDATE CONSTRAINT ${check};  -- scans, but reads and writes continue`,
    `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;  -- PG 12+: proven by the CHECK, no scan`,
    `ALTER TABLE ${t} DROP CONSTRAINT ${check};`,
  ].join('\n');
}
