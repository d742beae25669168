// The catalog as plain, serialisable data: what introspection reads and rules consume.

export interface Catalog {
  /** server_version_num of the engine it was read from. */
  serverVersion: number;
  schemas: SchemaInfo[];
  tables: Table[];
  views: View[];
  enums: EnumType[];
  sequences: Sequence[];
  functions: FunctionInfo[];
  extensions: ExtensionInfo[];
}

export interface SchemaInfo {
  name: string;
  owner: string;
  comment?: string;
}

export type TableKind = 'table' | 'partitioned table' | 'foreign table';

export interface Table {
  oid: number;
  schema: string;
  name: string;
  kind: TableKind;
  /** Planner's row estimate; -1 when never analyzed (PG14+), 0 on older versions. */
  reltuples: number;
  relpages: number;
  relfilenode: number;
  rlsEnabled: boolean;
  rlsForced: boolean;
  /** `schema.parent` when this table is a partition. */
  partitionOf?: string;
  comment?: string;
  columns: Column[];
  constraints: Constraint[];
  indexes: Index[];
  triggers: Trigger[];
  policies: Policy[];
}

export interface Column {
  name: string;
  /** attnum: position in the table. */
  position: number;
  /** As PostgreSQL prints it, e.g. `character varying(50)`, `timestamp without time zone`, `integer[]`. */
  type: string;
  /** The element or base type's internal name, e.g. `varchar`, `timestamp`, `int4`. */
  typeName: string;
  typeSchema: string;
  isArray: boolean;
  /** Declared type modifier, e.g. 50 for varchar(50); undefined when none. */
  typeModifier?: number;
  notNull: boolean;
  default?: string;
  identity?: 'always' | 'by default';
  generated?: 'stored' | 'virtual';
  /** Column default comes from a sequence owned by this column (serial/bigserial). */
  serial: boolean;
  comment?: string;
}

export type ConstraintType = 'primary key' | 'foreign key' | 'unique' | 'check' | 'exclusion';

export type ForeignKeyAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface Constraint {
  name: string;
  type: ConstraintType;
  columns: string[];
  /** false for NOT VALID constraints that were never validated. */
  validated: boolean;
  deferrable: boolean;
  /** pg_get_constraintdef, e.g. `FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE`. */
  definition: string;
  references?: {
    schema: string;
    table: string;
    columns: string[];
    onDelete: ForeignKeyAction;
    onUpdate: ForeignKeyAction;
  };
  /** Name of the index that enforces it (pk, unique, exclusion). */
  index?: string;
}

export interface Index {
  oid: number;
  schema: string;
  name: string;
  /** Key parts in order: a column name, or null where the key is an expression. */
  columns: Array<string | null>;
  /** Every key part as PostgreSQL prints it (column name or expression). */
  keys: string[];
  /** INCLUDE columns (PG11+). */
  include: string[];
  unique: boolean;
  primary: boolean;
  valid: boolean;
  /** Access method: btree, gin, gist, hash, brin, spgist… */
  method: string;
  /** Partial index predicate, e.g. `(deleted_at IS NULL)`. */
  predicate?: string;
  definition: string;
  relfilenode: number;
  /** Constraint this index backs, if any. */
  constraint?: string;
}

export interface Trigger {
  name: string;
  function: string;
  /** e.g. `BEFORE UPDATE`, `AFTER INSERT OR DELETE`. */
  timing: 'before' | 'after' | 'instead of';
  events: Array<'insert' | 'update' | 'delete' | 'truncate'>;
  forEachRow: boolean;
  enabled: boolean;
  definition: string;
}

export interface Policy {
  name: string;
  command: 'all' | 'select' | 'insert' | 'update' | 'delete';
  permissive: boolean;
  roles: string[];
  using?: string;
  withCheck?: string;
}

export interface View {
  oid: number;
  schema: string;
  name: string;
  materialized: boolean;
  definition: string;
  /** reloptions, e.g. security_invoker=true. */
  options: string[];
  comment?: string;
}

export interface EnumType {
  schema: string;
  name: string;
  values: string[];
}

export interface Sequence {
  schema: string;
  name: string;
  dataType: string;
  /** `schema.table.column` that owns it (serial / identity). */
  ownedBy?: string;
  maxValue: number;
  lastValue?: number;
}

export interface FunctionInfo {
  oid: number;
  schema: string;
  name: string;
  /** Identity arguments, e.g. `uuid, text`. */
  arguments: string;
  kind: 'function' | 'procedure';
  /** Result type, e.g. `trigger`, `SETOF orders`; undefined for procedures. */
  returns?: string;
  language: string;
  securityDefiner: boolean;
  volatility: 'immutable' | 'stable' | 'volatile';
  /** proconfig settings, e.g. `search_path=public`. */
  config: string[];
}

export interface ExtensionInfo {
  name: string;
  schema: string;
  version: string;
}
