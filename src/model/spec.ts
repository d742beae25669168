// The model file (YAML): entities with their fields, status values, relations, soft delete, audit
// columns, an RLS owner, JSONB attributes and indexes. Validated by zod; every problem is reported at
// the file:line:column of the YAML node it is about. `modelJsonSchema()` is the same schema as JSON
// Schema (schemas/model.schema.json, for editors).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { z as Zod } from 'zod';
import type * as Yaml from 'yaml';
import { InputError } from '../lint/files.js';

// zod and yaml are CommonJS-required, as config.ts does: one zod in the process, loaded only when a
// model is read.
const requireCjs = createRequire(import.meta.url);
const loadZod = () => (requireCjs('zod') as { z: typeof Zod }).z;
const loadYaml = () => requireCjs('yaml') as typeof Yaml;

/** ON DELETE actions a relation may choose. */
export const ON_DELETE = ['restrict', 'cascade', 'set null', 'no action', 'set default'] as const;
export type OnDelete = (typeof ON_DELETE)[number];

function buildModelSchema(z: typeof Zod) {
  // Lower-case names never need quoting (uppercase-identifier), and fit PostgreSQL's 63 bytes.
  const ident = z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case name (a-z, 0-9, _, not starting with a digit), so it never needs quoting')
    .max(63, 'longer than the 63 bytes PostgreSQL keeps of a name');
  const sqlType = z
    .string()
    .regex(/^[a-z][a-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])*$/i, 'expected a PostgreSQL type, e.g. text, integer, numeric(12,2), timestamptz, jsonb, text[]')
    .describe('A PostgreSQL type, e.g. text, bigint, numeric(12,2), boolean, timestamptz, date, jsonb, text[]');
  const defaultValue = z
    .union([z.string(), z.number(), z.boolean(), z.object({ sql: z.string().min(1).describe('A SQL expression, e.g. now()') }).strict()])
    .describe('A literal value, or {sql: expression}');
  const fieldObject = z
    .object({
      type: sqlType,
      required: z.boolean().optional().describe('NOT NULL (default true: business fields are NOT NULL)'),
      unique: z.boolean().optional().describe('A unique constraint (a partial unique index WHERE deleted_at IS NULL with softDelete)'),
      default: defaultValue.optional(),
      purpose: z.string().optional().describe('COMMENT ON COLUMN'),
    })
    .strict();
  const field = z.union([sqlType, fieldObject]);
  const onDelete = z.enum(ON_DELETE);
  const belongsTo = z.union([
    ident.describe('The entity referred to (ON DELETE RESTRICT, NOT NULL)'),
    z
      .object({
        entity: ident,
        onDelete: onDelete.optional().describe('default restrict'),
        required: z.boolean().optional().describe('NOT NULL (default true)'),
      })
      .strict(),
  ]);
  const manyToMany = z.union([
    ident.describe('The other entity: a junction table <this singular>_<other>'),
    z.object({ entity: ident, table: ident.optional().describe('The junction table\'s name') }).strict(),
  ]);
  const index = z
    .object({
      columns: z.array(ident).min(1).optional(),
      expression: z.string().min(1).optional().describe('An expression index, e.g. lower(email)'),
      unique: z.boolean().optional(),
      where: z.string().min(1).optional().describe('A partial index predicate, e.g. status = \'pending\''),
      method: z.enum(['btree', 'gin', 'gist', 'hash', 'brin']).optional(),
      name: ident.optional(),
    })
    .strict();
  const entity = z
    .object({
      purpose: z.string().optional().describe('What one row represents: COMMENT ON TABLE'),
      group: ident.optional().describe('A domain the entity belongs to (diagrams per group)'),
      singular: ident.optional().describe('The singular name, for foreign key columns (default: the name without its plural s)'),
      fields: z.record(ident, field).optional(),
      status: z.array(z.string().min(1)).min(1).optional().describe('The status values, the first one the default: a CHECK (or an enum type with enums: true)'),
      softDelete: z.boolean().optional().describe('A deleted_at column, with partial indexes WHERE deleted_at IS NULL'),
      audit: z.boolean().optional().describe('created_at and updated_at, kept by one shared trigger'),
      owner: ident.optional().describe('The column holding the owning user\'s id: row level security policies'),
      attributes: z.object({ keys: z.array(z.string().min(1)).describe('JSONB keys to index') }).strict().optional().describe('An attributes jsonb column'),
      indexes: z.array(index).optional(),
      belongsTo: z.record(ident, belongsTo).optional().describe('Relation name → entity: a <name>_id foreign key with an index'),
      hasMany: z.array(ident).optional().describe('Entities that belong to this one (each has a belongsTo here)'),
      manyToMany: z.array(manyToMany).optional(),
      parent: z.union([z.boolean(), z.object({ onDelete }).strict()]).optional().describe('A tree: parent_id referring to this table'),
    })
    .strict();
  return z
    .object({
      $schema: z.string().optional(),
      schema: ident.optional().describe('The PostgreSQL schema (default public)'),
      enums: z.boolean().optional().describe('Status columns as enum types instead of CHECK constraints'),
      entities: z.record(ident, entity),
    })
    .strict()
    .superRefine((model, ctx) => {
      for (const issue of crossReferenceIssues(model as Model)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    });
}

type ModelSchemaType = ReturnType<typeof buildModelSchema>;
let schema: ModelSchemaType | undefined;
export function modelSchema(): ModelSchemaType {
  schema ??= buildModelSchema(loadZod());
  return schema;
}

export type Model = Zod.infer<ModelSchemaType>;
export type Entity = Model['entities'][string];
export type FieldSpec = NonNullable<Entity['fields']>[string];
export type FieldObject = Exclude<FieldSpec, string>;
export type IndexSpec = NonNullable<Entity['indexes']>[number];
export type DefaultValue = NonNullable<FieldObject['default']>;

/** The JSON Schema of the model file (what schemas/model.schema.json holds). */
export function modelJsonSchema(): Record<string, unknown> {
  const json = loadZod().toJSONSchema(modelSchema(), { io: 'input' }) as Record<string, unknown>;
  return { $schema: json.$schema, title: 'pgarch model file', ...json };
}

// ---------------------------------------------------------------------------------------------------
// Names the generator derives (shared with ddl.ts and from-catalog.ts, so both agree)

/** `categories` → `category`, `orders` → `order`, `addresses` → `address`; `singular:` overrides. */
export function singularOf(name: string, entity?: Pick<Entity, 'singular'>): string {
  if (entity?.singular) return entity.singular;
  if (/ies$/.test(name)) return name.replace(/ies$/, 'y');
  if (/(ss|sh|ch|x|z)es$/.test(name)) return name.replace(/es$/, '');
  if (/[^s]s$/.test(name)) return name.slice(0, -1);
  return name;
}

export interface ManyToManyLink {
  entity: string;
  table: string;
}

export function junctionOf(owner: string, entity: Entity, link: NonNullable<Entity['manyToMany']>[number]): ManyToManyLink {
  const other = typeof link === 'string' ? link : link.entity;
  const table = (typeof link === 'string' ? undefined : link.table) ?? `${singularOf(owner, entity)}_${other}`;
  return { entity: other, table };
}

export const fkColumn = (relation: string) => `${relation}_id`;

export function fieldObject(spec: FieldSpec): FieldObject {
  return typeof spec === 'string' ? { type: spec } : spec;
}

/** Every column an entity has, by name (generated ones included), for references to them. */
export function entityColumns(entity: Entity): string[] {
  return [
    'id',
    ...Object.keys(entity.belongsTo ?? {}).map(fkColumn),
    ...(entity.parent ? ['parent_id'] : []),
    ...Object.keys(entity.fields ?? {}),
    ...(entity.status ? ['status'] : []),
    ...(entity.attributes ? ['attributes'] : []),
    ...(entity.audit ? ['created_at', 'updated_at'] : []),
    ...(entity.softDelete ? ['deleted_at'] : []),
  ];
}

/**
 * What generates a column of this name in this entity, if anything: a plain created_at is a field of its
 * own in an entity without audit (a schema read back by model --from has such tables).
 */
function generatedBy(entity: Entity, column: string): string | undefined {
  if (column === 'id') return 'every entity has id';
  if ((column === 'created_at' || column === 'updated_at') && entity.audit) return 'audit';
  if (column === 'deleted_at' && entity.softDelete) return 'softDelete';
  if (column === 'parent_id' && entity.parent) return 'parent';
  if (column === 'status' && entity.status) return 'status';
  if (column === 'attributes' && entity.attributes) return 'attributes';
  return undefined;
}

interface PathIssue {
  path: Array<string | number>;
  message: string;
}

/** What zod's shape cannot say: names referring to entities and columns that exist. */
function crossReferenceIssues(model: Model): PathIssue[] {
  const issues: PathIssue[] = [];
  const names = Object.keys(model.entities ?? {});
  const known = (name: string) => names.includes(name);
  const tables = new Map<string, Array<string | number>>();
  for (const [name, entity] of Object.entries(model.entities ?? {})) {
    const at = (...rest: Array<string | number>) => ['entities', name, ...rest];
    tables.set(name, at());
    const fields = Object.keys(entity.fields ?? {});
    for (const f of fields) {
      const by = generatedBy(entity, f);
      if (by) issues.push({ path: at('fields', f), message: `${f} is a column pgarch generates (${by}): give the field another name` });
    }
    for (const [relation, spec] of Object.entries(entity.belongsTo ?? {})) {
      const target = typeof spec === 'string' ? spec : spec.entity;
      if (!known(target)) issues.push({ path: at('belongsTo', relation, ...(typeof spec === 'string' ? [] : ['entity'])), message: `no entity named ${target}` });
      if (fields.includes(fkColumn(relation))) issues.push({ path: at('fields', fkColumn(relation)), message: `${fkColumn(relation)} is the column of the relation belongsTo.${relation}` });
      if (typeof spec !== 'string' && spec.onDelete === 'set null' && spec.required !== false) {
        issues.push({ path: at('belongsTo', relation, 'onDelete'), message: 'onDelete: set null needs required: false (the column must accept NULL)' });
      }
    }
    for (const [i, other] of (entity.hasMany ?? []).entries()) {
      const target = model.entities[other];
      if (!target) issues.push({ path: at('hasMany', i), message: `no entity named ${other}` });
      else if (!Object.values(target.belongsTo ?? {}).some((b) => (typeof b === 'string' ? b : b.entity) === name)) {
        issues.push({ path: at('hasMany', i), message: `${other} has no belongsTo relation to ${name}` });
      }
    }
    for (const [i, link] of (entity.manyToMany ?? []).entries()) {
      const { entity: other, table } = junctionOf(name, entity, link);
      if (!known(other)) issues.push({ path: at('manyToMany', i), message: `no entity named ${other}` });
      if (tables.has(table) || known(table)) issues.push({ path: at('manyToMany', i), message: `the junction table ${table} has the name of another table: give it table: NAME` });
      tables.set(table, at('manyToMany', i));
    }
    const columns = entityColumns(entity);
    if (entity.owner && !columns.includes(entity.owner)) issues.push({ path: at('owner'), message: `no column ${entity.owner} in ${name} (columns: ${columns.join(', ')})` });
    for (const [i, index] of (entity.indexes ?? []).entries()) {
      if (Boolean(index.columns) === Boolean(index.expression)) issues.push({ path: at('indexes', i), message: 'an index has either columns or an expression' });
      for (const [j, c] of (index.columns ?? []).entries()) if (!columns.includes(c)) issues.push({ path: at('indexes', i, 'columns', j), message: `no column ${c} in ${name}` });
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------
// Reading a model file, with errors at file:line:column

export class ModelError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

/** Read and validate a model file. */
export function loadModel(file: string): Model {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ModelError(`no such model file: ${file}`);
  }
  return parseModel(text, file);
}

/** Validate a model's YAML text; `file` names it in messages. */
export function parseModel(text: string, file = '<model>'): Model {
  const yaml = loadYaml();
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, keepSourceTokens: true, prettyErrors: false });
  const where = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length) {
    throw new ModelError(doc.errors.slice(0, 5).map((e) => `${where(e.pos[0])}: ${e.message.split('\n')[0]}`).join('\n'));
  }
  const result = modelSchema().safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap(mostSpecific);
  const lines = issues.slice(0, 5).map((issue) => {
    const { offset, path } = locate(yaml, doc, issue);
    return `${where(offset)}: ${path.length ? `${path.join('.')}: ` : ''}${issue.message}`;
  });
  if (issues.length > 5) lines.push(`… and ${issues.length - 5} more`);
  throw new ModelError(lines.join('\n'));
}

type Issue = Zod.core.$ZodIssue;

/** A union's failure as the branch that got furthest (the longest paths), not "Invalid input". */
function mostSpecific(issue: Issue): Issue[] {
  if (issue.code === 'invalid_key' && issue.issues.length) return [{ ...issue, message: issue.issues[0].message }];
  if (issue.code !== 'invalid_union' || !issue.errors.length) return [issue];
  const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
  const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0];
  return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue).flatMap(mostSpecific);
}

/** The source offset of the node an issue is about: the deepest node of its path that exists. */
function locate(yaml: typeof Yaml, doc: Yaml.Document, issue: Issue): { offset: number; path: PropertyKey[] } {
  const path = issue.path;
  if (issue.code === 'invalid_key') {
    // A bad name in a map: its key.
    const parent = doc.getIn(path.slice(0, -1), true);
    const pair = yaml.isMap(parent) ? parent.items.find((p) => yaml.isScalar(p.key) && p.key.value === path[path.length - 1]) : undefined;
    if (pair && yaml.isNode(pair.key) && pair.key.range) return { offset: pair.key.range[0], path };
  }
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (!yaml.isNode(node) || !node.range) continue;
    // An unknown or bad key: point at the key itself.
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    if (n === path.length && key !== undefined && yaml.isMap(node)) {
      const pair = node.items.find((p) => yaml.isScalar(p.key) && p.key.value === key);
      if (pair && yaml.isNode(pair.key) && pair.key.range) return { offset: pair.key.range[0], path: [...path, key] };
    }
    if (n < path.length && yaml.isMap(node)) {
      // The value is missing or null: point at its key when there is one.
      const pair = node.items.find((p) => yaml.isScalar(p.key) && p.key.value === path[n]);
      if (pair && yaml.isNode(pair.key) && pair.key.range) return { offset: pair.key.range[0], path };
    }
    return { offset: node.range[0], path };
  }
  return { offset: 0, path };
}

// ---------------------------------------------------------------------------------------------------
// The canonical form of a model: what two models that generate the same schema both become

/** SQL text compared by meaning-preserving spelling: lower case outside literals, no grouping parentheses, no casts on literals. */
export function sqlKey(expression: string): string {
  let out = '';
  const calls: boolean[] = [];
  // Literals are kept as written; a `(` right after a name is a call's and stays, grouping ones go.
  for (const part of expression.split(/('(?:[^']|'')*')/)) {
    if (part.startsWith("'")) {
      out += part;
      continue;
    }
    for (const ch of part.toLowerCase()) {
      if (ch === '(') {
        const call = /[a-z0-9_]$/.test(out);
        calls.push(call);
        if (call) out += ch;
      } else if (ch === ')') {
        if (calls.pop()) out += ch;
      } else out += ch;
    }
  }
  return out
    .replace(/('(?:[^']|'')*')::[a-z_][a-z0-9_.]*( varying)?/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** PostgreSQL's spelling of a type → the short one a model file uses. */
export function canonicalType(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')');
  const array = /(\[\])+$/.exec(t)?.[0] ?? '';
  const base = t.slice(0, t.length - array.length);
  const m = /^([a-z0-9_ ]+?)(\(.*\))?$/.exec(base);
  const name = m?.[1] ?? base;
  const mod = m?.[2] ?? '';
  const ALIASES: Record<string, string> = {
    'timestamp with time zone': 'timestamptz',
    'timestamp without time zone': 'timestamp',
    'time with time zone': 'timetz',
    'time without time zone': 'time',
    'character varying': 'varchar',
    character: 'char',
    int: 'integer',
    int4: 'integer',
    int8: 'bigint',
    int2: 'smallint',
    bool: 'boolean',
    float8: 'double precision',
    float4: 'real',
    decimal: 'numeric',
  };
  return `${ALIASES[name] ?? name}${mod}${array}`;
}

const isEntityName = (x: unknown): x is string => typeof x === 'string';

/**
 * The canonical form: shorthand where the longhand says only defaults, no empty or false keys, hasMany
 * filled from the other side's belongsTo, lists in a fixed order, SQL text by `sqlKey`.
 */
export function normalizeModel(model: Model, sql: (expression: string) => string = sqlKey): Model {
  const out: Model = { entities: {} };
  if (model.schema && model.schema !== 'public') out.schema = model.schema;
  const entities = model.entities;
  if (model.enums && Object.values(entities).some((e) => e.status)) out.enums = true;
  for (const [name, e] of Object.entries(entities)) {
    const n: Entity = {};
    if (e.purpose?.trim()) n.purpose = e.purpose.trim();
    if (e.group) n.group = e.group;
    if (e.singular && e.singular !== singularOf(name)) n.singular = e.singular;
    const fields = Object.entries(e.fields ?? {}).map(([f, spec]) => [f, normalizeField(spec, sql)] as const);
    if (fields.length) n.fields = Object.fromEntries(fields);
    if (e.status?.length) n.status = [...e.status];
    if (e.softDelete) n.softDelete = true;
    if (e.audit) n.audit = true;
    if (e.owner) n.owner = e.owner;
    if (e.attributes) n.attributes = { keys: [...e.attributes.keys].sort() };
    const indexes = (e.indexes ?? []).map((i) => normalizeIndex(name, i, sql)).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
    if (indexes.length) n.indexes = indexes;
    const belongs = Object.entries(e.belongsTo ?? {}).map(([rel, spec]) => {
      if (isEntityName(spec)) return [rel, spec] as const;
      const onDelete = spec.onDelete ?? 'restrict';
      const required = spec.required ?? true;
      if (onDelete === 'restrict' && required) return [rel, spec.entity] as const;
      return [rel, { entity: spec.entity, ...(onDelete !== 'restrict' ? { onDelete } : {}), ...(required ? {} : { required: false }) }] as const;
    });
    if (belongs.length) n.belongsTo = Object.fromEntries(belongs);
    const hasMany = Object.entries(entities)
      .filter(([, other]) => Object.values(other.belongsTo ?? {}).some((b) => (isEntityName(b) ? b : b.entity) === name))
      .map(([other]) => other)
      .sort();
    if (hasMany.length) n.hasMany = hasMany;
    const links = (e.manyToMany ?? []).map((link) => {
      const j = junctionOf(name, e, link);
      return j.table === `${singularOf(name, e)}_${j.entity}` ? j.entity : j;
    });
    if (links.length) n.manyToMany = links.sort((a, b) => (isEntityName(a) ? a : a.entity).localeCompare(isEntityName(b) ? b : b.entity));
    if (e.parent) n.parent = typeof e.parent === 'object' && e.parent.onDelete !== 'restrict' ? { onDelete: e.parent.onDelete } : true;
    out.entities[name] = n;
  }
  return out;
}

function normalizeField(spec: FieldSpec, sql: (expression: string) => string): FieldSpec {
  const f = fieldObject(spec);
  const type = canonicalType(f.type);
  const n: FieldObject = { type };
  if (f.required === false) n.required = false;
  if (f.unique) n.unique = true;
  if (f.default !== undefined) n.default = typeof f.default === 'object' ? { sql: sql(f.default.sql) } : f.default;
  if (f.purpose?.trim()) n.purpose = f.purpose.trim();
  return Object.keys(n).length === 1 ? type : n;
}

/** An index's default name: `<table>_<columns or the expression's words>_idx` (`_key` when unique). */
export function indexName(table: string, index: IndexSpec): string {
  if (index.name) return index.name;
  const words = index.columns ?? sqlKey(index.expression ?? '').replace(/'(?:[^']|'')*'/g, ' ').replace(/::[a-z_ ]+/g, ' ').match(/[a-z_][a-z0-9_]*/g) ?? [];
  return truncate(`${table}_${words.join('_')}_${index.unique ? 'key' : 'idx'}`);
}

/** PostgreSQL keeps the first 63 bytes of a name; names here are ASCII. */
export const truncate = (name: string) => name.slice(0, 63);

function normalizeIndex(table: string, i: IndexSpec, sql: (expression: string) => string): IndexSpec {
  const n: IndexSpec = {};
  if (i.columns) n.columns = [...i.columns];
  if (i.expression) n.expression = sql(i.expression);
  if (i.unique) n.unique = true;
  if (i.where) n.where = sql(i.where);
  if (i.method && i.method !== 'btree') n.method = i.method;
  n.name = indexName(table, { ...i, ...n, name: i.name });
  return n;
}
