// Helpers shared by the design rules (group-design.ts): which tables to look at, column lookups,
// SQL literals for generated fixes, and the one `updated_at` trigger every rule proposes.
import type { Catalog, Column, Constraint, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';

/**
 * Tables whose design is the user's to change: partitions are left out (they repeat their parent's
 * columns and constraints, and a fix on the parent reaches them), and so are foreign tables (their
 * columns mirror a remote table).
 */
export function designTables(catalog: Catalog): Table[] {
  return catalog.tables.filter((t) => t.kind !== 'foreign table' && !t.partitionOf);
}

/** `schema.table.column` for messages and `object`. */
export function columnName(table: Table, column: string): string {
  return `${table.schema}.${table.name}.${column}`;
}

export function findColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

/** A built-in scalar (not array) column of one of the given internal type names (`int4`, `varchar`…). */
export function isBuiltin(column: Column, ...typeNames: string[]): boolean {
  return !column.isArray && column.typeSchema === 'pg_catalog' && typeNames.includes(column.typeName);
}

/** Constraints of a type that involve the column (for CHECK: the columns its expression reads). */
export function constraintsOn(table: Table, column: string, type: 'check' | 'foreign key' | 'primary key' | 'unique') {
  return table.constraints.filter((c) => c.type === type && c.columns.includes(column));
}

/** A SQL string literal, as PostgreSQL's quote_literal writes it (E'' form when a backslash is present). */
export function quoteLiteral(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** Names people give the two bookkeeping timestamps (compared lower-case, without underscores). */
const CREATED = new Set(['createdat', 'created', 'createdon', 'createdtime', 'createtime', 'createdate', 'creationdate', 'creationtime', 'insertedat', 'datecreated']);
const UPDATED = new Set(['updatedat', 'updated', 'updatedon', 'updatedtime', 'updatetime', 'modifiedat', 'modified', 'modifiedon', 'lastmodified', 'lastmodifiedat', 'lastupdated', 'lastupdatedat', 'datemodified', 'dateupdated']);
const normalized = (name: string) => name.toLowerCase().replace(/_/g, '');

export const isCreatedAtName = (name: string) => CREATED.has(normalized(name));
export const isUpdatedAtName = (name: string) => UPDATED.has(normalized(name));

/**
 * A table whose every column belongs to its primary key or a foreign key: a pure link (many-to-many)
 * table. Its rows are inserted and deleted, never updated, and carry no description of their own.
 */
export function isLinkTable(table: Table): boolean {
  const keyed = new Set(table.constraints.filter((c) => c.type === 'primary key' || c.type === 'foreign key').flatMap((c) => c.columns));
  return table.columns.length > 0 && table.columns.every((c) => keyed.has(c.name)) && table.constraints.some((c) => c.type === 'foreign key');
}

/**
 * The trigger that keeps a "last updated" column current: one small function per column name and
 * schema (`set_updated_at()`), shared by every table, plus a BEFORE UPDATE row trigger. The function
 * pins `search_path` to '' (now() lives in pg_catalog, always searched), so nothing on the caller's
 * path can change what it runs. When the catalog already has the function, the fix only adds the
 * trigger: `CREATE OR REPLACE` would overwrite a function of that name the user wrote.
 */
export function updatedAtTriggerSql(catalog: Catalog, table: Table, column: string): string {
  const fnName = truncateIdentifier(`set_${column.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`);
  const fn = quoteQualified(table.schema, fnName);
  const exists = catalog.functions.some((f) => f.schema === table.schema && f.name === fnName && f.arguments === '' && f.returns === 'trigger');
  const trigger = quoteIdent(truncateIdentifier(`${table.name}_${fnName}`));
  const create = `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  NEW.${quoteIdent(column)} := now();
  RETURN NEW;
END
$$;
`;
  return `${exists ? '' : create}CREATE TRIGGER ${trigger} BEFORE UPDATE ON ${quoteQualified(table.schema, table.name)}
  FOR EACH ROW EXECUTE FUNCTION ${fn}();`;
}

/** A BEFORE UPDATE row trigger that is enabled: the only kind that can set NEW.updated_at. */
export function hasBeforeUpdateRowTrigger(table: Table): boolean {
  return table.triggers.some((t) => t.enabled && t.timing === 'before' && t.forEachRow && t.events.includes('update'));
}

/** Simple English singular of a table name (`categories` → `category`, `addresses` → `address`). */
export function singular(name: string): string {
  if (/ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(ss|sh|ch|x|z)es$/.test(name)) return name.slice(0, -2);
  if (/[^s]s$/.test(name)) return name.slice(0, -1);
  return name;
}

/**
 * A table's foreign keys as the user declared them. A foreign key to a partitioned table also appears
 * in pg_constraint once per partition (derived copies PostgreSQL maintains, named `…_fkey1`, `…_fkey_1`);
 * those point at partitions and are left out, so each declared key is seen once.
 */
export function foreignKeys(catalog: Catalog, table: Table): Constraint[] {
  return table.constraints.filter((c) => {
    if (c.type !== 'foreign key' || !c.references) return false;
    const target = catalog.tables.find((t) => t.schema === c.references!.schema && t.name === c.references!.table);
    return !target?.partitionOf;
  });
}
