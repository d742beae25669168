// Facts about a statement read from its parse tree, shared by the migration runner and rules.
import type { AnyNode } from '../rules/types.js';
import type { Statement } from '../sql/parse.js';
import { SqlText } from '../sql/tokens.js';

export type RangeVar = { schemaname?: string; relname: string };

/** Statements that change no catalog shape: they never invalidate cached tables. */
const DATA_ONLY = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'TransactionStmt',
  'CommentStmt',
  'ExplainStmt',
  'CopyStmt',
  'NotifyStmt',
  'ListenStmt',
  'LockStmt',
  'PrepareStmt',
  'ExecuteStmt',
  'DeallocateStmt',
  'CheckPointStmt',
  'DiscardStmt',
  'VariableShowStmt',
]);

/**
 * Relations a statement may have changed, or undefined when it may have changed anything (DO blocks,
 * DROP … CASCADE, search_path changes, statements pgarch has no model of).
 */
export function touchedRelations(stmt: Statement): RangeVar[] | undefined {
  // Asked several times per statement (tracing, invalidation, locks): the parse tree is walked once.
  if (touched.has(stmt)) return touched.get(stmt);
  const found = findTouchedRelations(stmt);
  touched.set(stmt, found);
  return found;
}

const touched = new WeakMap<Statement, RangeVar[] | undefined>();

function findTouchedRelations(stmt: Statement): RangeVar[] | undefined {
  if (DATA_ONLY.has(stmt.kind)) return [];
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  if (stmt.kind === 'VariableSetStmt') return node.name === 'search_path' ? undefined : [];
  if (node?.behavior === 'DROP_CASCADE') return undefined;
  if (['DoStmt', 'CallStmt', 'CreateSchemaStmt', 'DropOwnedStmt', 'ReassignOwnedStmt', 'AlterExtensionStmt'].includes(stmt.kind)) return undefined;
  const found = rangeVars(node);
  if (stmt.kind === 'DropStmt' && ['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE'].includes(node.removeType)) {
    // DROP INDEX names the index, not its table: the table's cached index list goes stale.
    if (node.removeType === 'OBJECT_INDEX') return undefined;
    for (const obj of node.objects ?? []) {
      const parts = (obj.List?.items ?? []).map((i: AnyNode) => i.String?.sval);
      if (parts.length) found.push(parts.length > 1 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] });
    }
  }
  if (stmt.kind === 'RenameStmt' && node.newname) found.push({ relname: node.newname });
  // Statements that name no relation (CREATE TYPE, CREATE FUNCTION…) change no table's shape.
  return found;
}

/** Every RangeVar in a parse tree: objects with a `relname`. */
export function rangeVars(node: unknown, out: RangeVar[] = []): RangeVar[] {
  if (Array.isArray(node)) {
    for (const n of node) rangeVars(n, out);
  } else if (node && typeof node === 'object') {
    const o = node as AnyNode;
    if (typeof o.relname === 'string') out.push({ schemaname: o.schemaname, relname: o.relname });
    for (const v of Object.values(o)) if (v && typeof v === 'object') rangeVars(v, out);
  }
  return out;
}

/**
 * The relation a statement creates (CREATE TABLE, CREATE TABLE AS, SELECT INTO, CREATE MATERIALIZED
 * VIEW, CREATE VIEW), if any: new in its deployment, so nobody waits on its locks yet. CREATE OR REPLACE
 * VIEW is not counted: it replaces a view that may be in use.
 */
export function createdTable(stmt: Statement): RangeVar | undefined {
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  if (stmt.kind === 'CreateStmt') return node.relation;
  if (stmt.kind === 'CreateTableAsStmt' && (node.objtype === 'OBJECT_TABLE' || node.objtype === 'OBJECT_MATVIEW')) return node.into?.rel;
  if (stmt.kind === 'ViewStmt' && !node.replace) return node.view;
  if (stmt.kind === 'SelectStmt' && node.intoClause) return node.intoClause.rel;
  return undefined;
}

/** Whether the statement is a `SET [LOCAL] lock_timeout` to a non-zero value. */
export function setsLockTimeout(stmt: Statement): boolean {
  const node = (stmt.node as AnyNode).VariableSetStmt as AnyNode | undefined;
  if (!node || node.name !== 'lock_timeout' || node.kind === 'VAR_RESET') return false;
  const arg = node.args?.[0]?.A_Const;
  return !(arg?.ival !== undefined && (arg.ival.ival ?? 0) === 0) && !(arg?.sval?.sval === '0');
}

/**
 * What a `SET [LOCAL] TimeZone` / `SET TIME ZONE` / `RESET TimeZone` does: 'utc' for a zone with zero
 * offset and no daylight saving (what lets PG 12+ change timestamp to timestamptz without a rewrite),
 * 'other' for another zone or RESET, undefined when the statement sets no time zone.
 */
export function timeZoneSet(stmt: Statement): { zone: 'utc' | 'other'; local: boolean } | undefined {
  const node = (stmt.node as AnyNode).VariableSetStmt as AnyNode | undefined;
  if (!node || String(node.name).toLowerCase() !== 'timezone') return undefined;
  const arg = node.args?.[0]?.A_Const as AnyNode | undefined;
  const value = arg?.sval?.sval ?? (arg?.ival ? String(arg.ival.ival ?? 0) : undefined);
  const utc = node.kind === 'VAR_SET_VALUE' && value !== undefined && UTC_ZONES.has(String(value).toLowerCase());
  return { zone: utc ? 'utc' : 'other', local: Boolean(node.is_local) };
}

const UTC_ZONES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'zulu', 'etc/zulu', 'universal', 'etc/universal', 'uct', 'etc/uct', 'z', '0', '+0', '-0', 'utc0', 'gmt0', '+00:00', '00:00']);

/** Tables a statement empties: TRUNCATE's, and DELETE's without WHERE (as written, lower-cased). */
export function emptiedTables(stmt: Statement): string[] {
  const n = (stmt.node as AnyNode)[stmt.kind] as AnyNode | undefined;
  const name = (rv: AnyNode | undefined) => (rv?.relname ? `${rv.schemaname ? `${rv.schemaname}.` : ''}${rv.relname}` : undefined);
  if (stmt.kind === 'TruncateStmt') return (n?.relations ?? []).map((r: AnyNode) => name(r.RangeVar)).filter(Boolean);
  if (stmt.kind === 'DeleteStmt' && !n?.whereClause && !n?.usingClause) return [name(n?.relation)].filter((x): x is string => Boolean(x));
  return [];
}

/** Statements whose effect is only on data or session: never DDL. */
export function isDdl(stmt: Statement): boolean {
  return !DATA_ONLY.has(stmt.kind) && stmt.kind !== 'VariableSetStmt';
}

// Objects with a pg_class row (a name a table name can be shadowed by), as DROP / RENAME / SET SCHEMA name them.
const RELATION_OBJECTS = new Set(['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE', 'OBJECT_SEQUENCE', 'OBJECT_TYPE']);
// Objects whose name is not a relation name: renaming or dropping them changes no table name's resolution.
const NOT_RELATION_OBJECTS = new Set([
  'OBJECT_COLUMN', 'OBJECT_ATTRIBUTE', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE', 'OBJECT_FUNCTION', 'OBJECT_PROCEDURE',
  'OBJECT_ROUTINE', 'OBJECT_AGGREGATE', 'OBJECT_DOMAIN', 'OBJECT_DOMCONSTRAINT', 'OBJECT_ROLE', 'OBJECT_OPERATOR', 'OBJECT_COLLATION',
  'OBJECT_CONVERSION', 'OBJECT_STATISTIC_EXT', 'OBJECT_PUBLICATION', 'OBJECT_SUBSCRIPTION', 'OBJECT_EVENT_TRIGGER', 'OBJECT_CAST',
  'OBJECT_TSCONFIGURATION', 'OBJECT_TSDICTIONARY', 'OBJECT_TSPARSER', 'OBJECT_TSTEMPLATE', 'OBJECT_LANGUAGE', 'OBJECT_FDW',
  'OBJECT_FOREIGN_SERVER', 'OBJECT_USER_MAPPING', 'OBJECT_OPCLASS', 'OBJECT_OPFAMILY', 'OBJECT_TRANSFORM', 'OBJECT_ACCESS_METHOD',
]);

const lastName = (obj: AnyNode | undefined): string | undefined => {
  const items: AnyNode[] = obj?.List?.items ?? obj?.TypeName?.names ?? [];
  return items.length ? items[items.length - 1].String?.sval : obj?.String?.sval;
};

/**
 * The relation names (relname, any schema) whose resolution a statement may change: [] when it
 * changes none, undefined when it may change any (search_path, schemas, DO blocks, DROP … CASCADE).
 * Finer than changesNames: resolved names of other tables stay cached.
 */
export function changedNames(stmt: Statement): string[] | undefined {
  if (!changesNames(stmt)) return [];
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  const known = (...names: Array<string | undefined>): string[] | undefined => (names.every((n) => typeof n === 'string') ? (names as string[]) : undefined);
  switch (stmt.kind) {
    case 'CreateStmt':
      return known(node.relation?.relname);
    case 'CreateForeignTableStmt':
      return known(node.base?.relation?.relname);
    case 'CreateTableAsStmt':
      return known(node.into?.rel?.relname);
    case 'SelectStmt':
      return known(node.intoClause?.rel?.relname);
    case 'ViewStmt':
      return known(node.view?.relname);
    case 'DropStmt': {
      if (node.behavior === 'DROP_CASCADE') return undefined;
      if (NOT_RELATION_OBJECTS.has(node.removeType)) return [];
      if (!RELATION_OBJECTS.has(node.removeType)) return undefined;
      return known(...(node.objects ?? []).map(lastName));
    }
    case 'RenameStmt': {
      if (NOT_RELATION_OBJECTS.has(node.renameType)) return [];
      // A primary key or unique constraint's index is renamed with it.
      if (node.renameType === 'OBJECT_TABCONSTRAINT') return known(node.subname, node.newname);
      if (!RELATION_OBJECTS.has(node.renameType)) return undefined;
      return known(node.relation?.relname ?? lastName(node.object), node.newname);
    }
    case 'AlterObjectSchemaStmt':
      if (NOT_RELATION_OBJECTS.has(node.objectType)) return [];
      if (!RELATION_OBJECTS.has(node.objectType)) return undefined;
      return known(node.relation?.relname ?? lastName(node.object));
    default:
      return undefined;
  }
}

/** Statements after which a table name may resolve differently (or not at all). */
export function changesNames(stmt: Statement): boolean {
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  switch (stmt.kind) {
    case 'CreateStmt':
    case 'CreateTableAsStmt':
    case 'ViewStmt':
    case 'CreateForeignTableStmt':
    case 'DropStmt':
    case 'RenameStmt':
    case 'AlterObjectSchemaStmt':
    case 'CreateSchemaStmt':
    case 'DoStmt':
    case 'CallStmt':
      return true;
    case 'VariableSetStmt':
      return node.name === 'search_path';
    case 'SelectStmt':
      return Boolean(node.intoClause);
    default:
      return false;
  }
}

// Built-in types that parse unqualified (most others, like integer or boolean, parse as pg_catalog.<name>).
const BUILTIN_UNQUALIFIED = new Set(['text', 'varchar', 'char', 'bpchar', 'uuid', 'json', 'jsonb', 'bytea', 'date', 'timestamptz', 'inet', 'cidr', 'money']);

/** A column definition of a built-in type (not a domain, which may carry constraints that force a rewrite). */
export function isBuiltinType(columnDef: AnyNode): boolean {
  const parts: string[] = (columnDef.typeName?.names ?? []).map((n: AnyNode) => n.String?.sval);
  return parts[0] === 'pg_catalog' || (parts.length === 1 && BUILTIN_UNQUALIFIED.has(parts[0]));
}

/** A literal, possibly cast: `0`, `'x'`, `'f'::boolean`. */
export function isConstantExpression(expr: AnyNode | undefined): boolean {
  if (!expr) return false;
  if (expr.TypeCast) return isConstantExpression(expr.TypeCast.arg);
  return Boolean(expr.A_Const);
}

// Words after ALTER that name what is altered, before the name (ALTER TABLE, ALTER FOREIGN TABLE …).
const ALTERED = new Set(['table', 'index', 'view', 'sequence', 'type']);

/**
 * Where each subcommand of an ALTER TABLE starts (character offsets in the statement's text), found
 * with the real scanner: after the table's name, split at commas outside parentheses. The parse tree
 * gives no position for most subcommands (SET NOT NULL, DROP COLUMN …).
 */
export function alterCommandStarts(stmt: Statement): number[] {
  const tokens = new SqlText(stmt.text, () => undefined).tokens.filter((t) => t.name !== 'SQL_COMMENT' && t.name !== 'C_COMMENT');
  const lower = (i: number) => tokens[i]?.text.toLowerCase();
  let i = tokens.findIndex((t, at) => at > 0 && ALTERED.has(t.text.toLowerCase()));
  if (i < 0) return [];
  i++;
  if (lower(i) === 'if' && lower(i + 1) === 'exists') i += 2;
  if (lower(i) === 'only') i++;
  i++; // the name
  while (tokens[i]?.text === '.') i += 2;
  if (tokens[i]?.text === '*') i++;
  if (i >= tokens.length) return [];
  const starts = [tokens[i].start];
  let depth = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') depth--;
    else if (t === ',' && depth === 0 && tokens[i + 1]) starts.push(tokens[i + 1].start);
  }
  return starts;
}

// ALTER TABLE subcommands that only change the catalog: under a lock already held they add no wait
// and no scan (ADD COLUMN and ADD CONSTRAINT are checked further below).
const CATALOG_ONLY_ALTER = new Set([
  'AT_DropColumn',
  'AT_DropConstraint',
  'AT_ColumnDefault',
  'AT_DropNotNull',
  'AT_SetStatistics',
  'AT_SetStorage',
  'AT_ChangeOwner',
  'AT_EnableTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
  'AT_EnableRowSecurity',
  'AT_DisableRowSecurity',
  'AT_ForceRowSecurity',
  'AT_NoForceRowSecurity',
]);

/** An ADD COLUMN that needs no rewrite, scan or lock elsewhere: no default but a constant, no key, no check, no reference. */
function isPlainAddColumn(def: AnyNode | undefined): boolean {
  if (!def) return false;
  // serial is a nextval() default: every row is rewritten.
  const type = (def.typeName?.names ?? []).map((n: AnyNode) => n.String?.sval).pop();
  if (/^(small|big)?serial[248]?$/.test(String(type))) return false;
  return (def.constraints ?? []).every((c: AnyNode) => {
    const con = c.Constraint as AnyNode;
    if (con.contype === 'CONSTR_NULL' || con.contype === 'CONSTR_NOTNULL') return true;
    return con.contype === 'CONSTR_DEFAULT' && isConstantExpression(con.raw_expr);
  });
}

/**
 * A statement that, after `table` is locked ACCESS EXCLUSIVE in a transaction, keeps that lock no
 * longer than it already is held: a catalog-only change of the same table (drop a column or a
 * constraint, set a default, add a plain column or a NOT VALID constraint, rename, comment, trigger),
 * or one that locks no table at all (SET, CREATE FUNCTION/TYPE). What scans, rewrites, builds an index
 * or waits for another table's lock does extend the hold, and is what lock-held-after-exclusive is about.
 */
export function keepsHoldBrief(stmt: Statement, table: { schema: string; name: string }): boolean {
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode | undefined;
  if (!node) return false;
  const same = (rv: AnyNode | undefined) => !!rv && rv.relname === table.name && (!rv.schemaname || rv.schemaname === table.schema);
  switch (stmt.kind) {
    case 'VariableSetStmt':
    case 'CreateFunctionStmt':
    case 'CreateEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateDomainStmt':
      return true;
    case 'AlterTableStmt':
      return (
        same(node.relation) &&
        (node.cmds ?? []).every((c: AnyNode) => {
          const cmd = c.AlterTableCmd as AnyNode;
          if (CATALOG_ONLY_ALTER.has(cmd.subtype)) return true;
          if (cmd.subtype === 'AT_AddColumn') return isPlainAddColumn(cmd.def?.ColumnDef);
          const con = cmd.subtype === 'AT_AddConstraint' ? (cmd.def?.Constraint as AnyNode | undefined) : undefined;
          // NOT VALID skips the scan; a foreign key still locks the table it references.
          return !!con && con.skip_validation === true && con.contype === 'CONSTR_CHECK';
        })
      );
    case 'RenameStmt':
      return same(node.relation);
    case 'CommentStmt': {
      if (node.objtype !== 'OBJECT_COLUMN' && node.objtype !== 'OBJECT_TABLE') return false;
      const parts: string[] = (node.object?.List?.items ?? []).map((i: AnyNode) => i.String?.sval);
      const rel = node.objtype === 'OBJECT_COLUMN' ? parts.slice(0, -1) : parts;
      return rel[rel.length - 1] === table.name && (rel.length < 2 || rel[rel.length - 2] === table.schema);
    }
    case 'CreateTrigStmt':
      return same(node.relation);
    default:
      return false;
  }
}

/**
 * A change of client_encoding (SET client_encoding, SET NAMES): it acts only on how the server talks
 * to its client, which is pgarch, not on anything a rule checks; PGlite answers nothing after it (and
 * a later call can crash the process). pgarch therefore never sends it (see textToRun).
 */
export function setsClientEncoding(stmt: Statement): boolean {
  if (stmt.kind !== 'VariableSetStmt') return false;
  const node = (stmt.node as AnyNode).VariableSetStmt as AnyNode | undefined;
  return node?.name === 'client_encoding' && node.kind !== 'VAR_RESET';
}

/** The SQL pgarch sends for a statement: its text, or a no-op for what only changes pgarch's own session protocol. */
export function textToRun(stmt: Statement): string {
  return setsClientEncoding(stmt) ? 'SELECT WHERE false' : (stmt.run ?? stmt.text);
}

/**
 * The CONCURRENTLY form a statement uses, if any ('CREATE INDEX CONCURRENTLY', …): PostgreSQL refuses
 * each inside a transaction block (the concurrently-in-transaction rule; the runner runs them outside one).
 */
export function concurrentForm(kind: string, node: AnyNode): string | undefined {
  if (kind === 'IndexStmt' && node.concurrent) return 'CREATE INDEX CONCURRENTLY';
  if (kind === 'DropStmt' && node.concurrent) return 'DROP INDEX CONCURRENTLY';
  if (kind === 'ReindexStmt' && (node.params ?? []).some((p: AnyNode) => p.DefElem?.defname === 'concurrently')) return 'REINDEX CONCURRENTLY';
  if (kind === 'AlterTableStmt' && (node.cmds ?? []).some((c: AnyNode) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd.def?.PartitionCmd?.concurrent)) {
    return 'DETACH PARTITION CONCURRENTLY';
  }
  return undefined;
}
