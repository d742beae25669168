// The origin map: for each catalog object, the source clause (file, line, column) that created or
// last changed it, read from parse-tree locations — so a finding about orders.user_id lands on the
// line of `user_id … REFERENCES`, not on the table. Built from parse trees alone (no execution), so
// it also maps a live database's objects back to the files that define them.
import type { Location } from '../types.js';
import type { ParsedFile, Statement } from '../sql/parse.js';
import { nameParts } from '../sql/quote.js';

export interface TableOrigin {
  location: Location;
  columns: Record<string, Location>;
  /** Named constraints, by name. */
  constraints: Record<string, Location>;
  /** Constraints by kind and column list, e.g. `foreign key(user_id)`, `primary key(id)` (names are often generated). */
  constraintsByColumns: Record<string, Location>;
  /** Indexes by their key list, e.g. `user_id,created_at` (names are often generated). */
  indexesByKeys: Record<string, Location>;
  policies: Record<string, Location>;
  triggers: Record<string, Location>;
}

export interface OriginMap {
  /** By `schema.table`. */
  tables: Record<string, TableOrigin>;
  /** Indexes by `schema.name`. */
  indexes: Record<string, Location>;
  /** Other objects by `kind:schema.name` (view, function, type, sequence, schema, extension). */
  objects: Record<string, Location>;
}

export function emptyOrigin(): OriginMap {
  return { tables: {}, indexes: {}, objects: {} };
}

/** Tracks the schema unqualified names resolve to while statements are read in order. */
export interface OriginState {
  defaultSchema: string;
}

export function newOriginState(): OriginState {
  return { defaultSchema: 'public' };
}

type AnyNode = Record<string, any>;
const CONSTRAINT_KIND: Record<string, string> = {
  CONSTR_PRIMARY: 'primary key',
  CONSTR_FOREIGN: 'foreign key',
  CONSTR_UNIQUE: 'unique',
  CONSTR_CHECK: 'check',
  CONSTR_EXCLUSION: 'exclusion',
};


/**
 * The statement kinds that define or rename what findings point at: the case labels of the switch in
 * recordStatement, which never reads the tree of another kind (a huge file's trees are made again
 * when read). A case added there must be added here, or it never runs.
 */
const RECORDED_KINDS = new Set(['CreateStmt', 'AlterTableStmt', 'IndexStmt', 'CreatePolicyStmt', 'CreateTrigStmt', 'RenameStmt', 'ViewStmt', 'CreateTableAsStmt', 'CreateFunctionStmt', 'CreateEnumStmt', 'CreateSeqStmt', 'CreateSchemaStmt', 'CreateExtensionStmt', 'VariableSetStmt', 'DropStmt']);

/** Record what one statement creates or changes. */
export function recordStatement(origin: OriginMap, state: OriginState, parsed: ParsedFile, stmt: Statement): void {
  if (!RECORDED_KINDS.has(stmt.kind)) return;
  const node = (stmt.node as AnyNode)[stmt.kind] as AnyNode;
  const at = (location?: number) => parsed.locate(stmt, location);
  const tableKey = (rv: AnyNode) => `${rv.schemaname ?? state.defaultSchema}.${rv.relname}`;
  const tableOf = (rv: AnyNode, location?: Location): TableOrigin => {
    const key = tableKey(rv);
    origin.tables[key] ??= { location: location ?? at(rv.location), columns: {}, constraints: {}, constraintsByColumns: {}, indexesByKeys: {}, policies: {}, triggers: {} };
    return origin.tables[key];
  };
  const recordConstraint = (table: TableOrigin, c: AnyNode, where: Location, columnName?: string) => {
    const kind = CONSTRAINT_KIND[c.contype];
    if (!kind) return;
    const columns = columnName ? [columnName] : nameParts(c.fk_attrs?.length ? c.fk_attrs : c.keys);
    if (c.conname) table.constraints[c.conname] = where;
    if (columns.length) table.constraintsByColumns[`${kind}(${columns.join(',')})`] = where;
  };
  const recordColumn = (table: TableOrigin, def: AnyNode) => {
    const where = at(def.location);
    table.columns[def.colname] = where;
    for (const c of def.constraints ?? []) recordConstraint(table, c.Constraint, where, def.colname);
  };

  switch (stmt.kind) {
    case 'CreateStmt': {
      const key = tableKey(node.relation);
      delete origin.tables[key]; // CREATE after DROP: the new definition is the origin
      const table = tableOf(node.relation, at(node.relation.location));
      for (const elt of node.tableElts ?? []) {
        if (elt.ColumnDef) recordColumn(table, elt.ColumnDef);
        else if (elt.Constraint) recordConstraint(table, elt.Constraint, at(elt.Constraint.location));
      }
      break;
    }
    case 'AlterTableStmt': {
      if (node.objtype !== 'OBJECT_TABLE' || !node.relation) break;
      const table = tableOf(node.relation);
      for (const cmd of node.cmds ?? []) {
        const c = cmd.AlterTableCmd as AnyNode;
        if (c.subtype === 'AT_AddColumn' && c.def?.ColumnDef) recordColumn(table, c.def.ColumnDef);
        else if (c.subtype === 'AT_AddConstraint' && c.def?.Constraint) recordConstraint(table, c.def.Constraint, at(c.def.Constraint.location));
        else if (c.name && table.columns[c.name] && c.subtype !== 'AT_DropColumn') table.columns[c.name] = at(c.def?.ColumnDef?.location ?? node.relation.location);
        else if (c.subtype === 'AT_DropColumn' && c.name) delete table.columns[c.name];
      }
      break;
    }
    case 'IndexStmt': {
      const where = at(node.relation.location);
      const keys = (node.indexParams ?? []).map((p: AnyNode) => p.IndexElem?.name).filter(Boolean);
      if (node.idxname) origin.indexes[`${node.relation.schemaname ?? state.defaultSchema}.${node.idxname}`] = { ...where, line: stmt.line, column: stmt.column };
      if (keys.length === (node.indexParams ?? []).length) tableOf(node.relation).indexesByKeys[keys.join(',')] = { ...where, line: stmt.line, column: stmt.column };
      break;
    }
    case 'CreatePolicyStmt':
      tableOf(node.table).policies[node.policy_name] = at(undefined);
      break;
    case 'CreateTrigStmt':
      tableOf(node.relation).triggers[node.trigname] = at(undefined);
      break;
    case 'RenameStmt':
      rename(origin, state, node, at(undefined));
      break;
    case 'ViewStmt':
      origin.objects[`view:${tableKey(node.view)}`] = at(undefined);
      break;
    case 'CreateTableAsStmt':
      if (node.into?.rel) origin.objects[`view:${tableKey(node.into.rel)}`] = at(undefined);
      break;
    case 'CreateFunctionStmt': {
      const parts = nameParts(node.funcname);
      origin.objects[`function:${parts.length > 1 ? parts.join('.') : `${state.defaultSchema}.${parts[0]}`}`] = at(undefined);
      break;
    }
    case 'CreateEnumStmt': {
      const parts = nameParts(node.typeName);
      origin.objects[`type:${parts.length > 1 ? parts.join('.') : `${state.defaultSchema}.${parts[0]}`}`] = at(undefined);
      break;
    }
    case 'CreateSeqStmt':
      origin.objects[`sequence:${tableKey(node.sequence)}`] = at(undefined);
      break;
    case 'CreateSchemaStmt':
      if (node.schemaname) origin.objects[`schema:${node.schemaname}`] = at(undefined);
      break;
    case 'CreateExtensionStmt':
      origin.objects[`extension:${node.extname}`] = at(undefined);
      break;
    case 'VariableSetStmt':
      // SET search_path = app, public: unqualified CREATEs land in the first schema.
      if (node.name === 'search_path' && node.args?.[0]) {
        const first = node.args[0].A_Const?.sval?.sval ?? node.args[0].String?.sval;
        if (first) state.defaultSchema = first;
      }
      break;
    case 'DropStmt':
      if (node.removeType === 'OBJECT_TABLE') {
        for (const obj of node.objects ?? []) {
          const parts = nameParts(obj.List?.items);
          delete origin.tables[parts.length > 1 ? parts.join('.') : `${state.defaultSchema}.${parts[0]}`];
        }
      }
      break;
  }
}

function rename(origin: OriginMap, state: OriginState, node: AnyNode, where: Location): void {
  if (!node.relation) return;
  const key = `${node.relation.schemaname ?? state.defaultSchema}.${node.relation.relname}`;
  const table = origin.tables[key];
  if (!table) return;
  if (node.renameType === 'OBJECT_TABLE') {
    delete origin.tables[key];
    origin.tables[`${node.relation.schemaname ?? state.defaultSchema}.${node.newname}`] = table;
  } else if (node.renameType === 'OBJECT_COLUMN' && node.subname) {
    delete table.columns[node.subname];
    table.columns[node.newname] = where;
  } else if (node.renameType === 'OBJECT_TABCONSTRAINT' && node.subname) {
    table.constraints[node.newname] = table.constraints[node.subname] ?? where;
    delete table.constraints[node.subname];
  }
}

/** Build the origin map of files read in order. */
export function buildOrigin(files: ParsedFile[]): OriginMap {
  const origin = emptyOrigin();
  const state = newOriginState();
  for (const parsed of files) for (const stmt of parsed.statements) recordStatement(origin, state, parsed, stmt);
  return origin;
}

// Lookups, most specific first, each falling back to the table's own location.

export function tableOrigin(origin: OriginMap, schema: string, table: string): Location | undefined {
  return origin.tables[`${schema}.${table}`]?.location;
}

export function columnOrigin(origin: OriginMap, schema: string, table: string, column: string): Location | undefined {
  const t = origin.tables[`${schema}.${table}`];
  return t?.columns[column] ?? t?.location;
}

export function constraintOrigin(
  origin: OriginMap,
  schema: string,
  table: string,
  constraint: { name: string; type: string; columns: string[] },
): Location | undefined {
  const t = origin.tables[`${schema}.${table}`];
  if (!t) return undefined;
  return (
    t.constraints[constraint.name] ??
    t.constraintsByColumns[`${constraint.type}(${constraint.columns.join(',')})`] ??
    (constraint.columns.length === 1 ? t.columns[constraint.columns[0]] : undefined) ??
    t.location
  );
}

export function indexOrigin(origin: OriginMap, schema: string, table: string, index: { name: string; columns: Array<string | null> }): Location | undefined {
  const byName = origin.indexes[`${schema}.${index.name}`];
  if (byName) return byName;
  const t = origin.tables[`${schema}.${table}`];
  if (!t) return undefined;
  return (index.columns.every((c) => c !== null) ? t.indexesByKeys[index.columns.join(',')] : undefined) ?? t.location;
}
