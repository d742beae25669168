// `pgarch model --from PATH|--database URL`: an existing schema's catalog read back as a model file.
// What the generator writes is recognised exactly (model → DDL → catalog → the same model); other
// schemas come back as far as the model can say them, and what it cannot is listed in `notes`.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Catalog, Column, Constraint, Index, Table } from '../catalog/types.js';
import { defaultConfig, type Config } from '../config.js';
import { InputError } from '../lint/files.js';
import { isEnvironmentObject } from '../lint/environment.js';
import { lintSchema } from '../lint/schema.js';
import { GROUP_TAG, UPDATED_AT_FUNCTION } from './ddl.js';
import {
  canonicalType,
  indexName,
  normalizeModel,
  singularOf,
  truncate,
  type DefaultValue,
  type FieldObject,
  type IndexSpec,
  type Model,
  type OnDelete,
} from './spec.js';

const requireCjs = createRequire(import.meta.url);

export interface ModelFromCatalog {
  model: Model;
  /** What the model could not say about the schema (tables without a uuid id, composite keys, …). */
  notes: string[];
}

export interface ReadModelOptions {
  /** SQL files or migration folders, applied as `pgarch lint schema` applies them. */
  paths?: string[];
  /** postgres:// URL: with paths, a scratch database there; without, the live database (read-only). */
  database?: string;
  config?: Config;
  /** The PostgreSQL schema to read (default public). */
  schema?: string;
}

/** Build the schema from files (or read a live database) and read its model back. */
export async function readModel(options: ReadModelOptions): Promise<ModelFromCatalog> {
  const paths = options.paths ?? [];
  if (!paths.length && !options.database) throw new InputError('model --from needs SQL files or a migrations folder, or --database URL');
  // No rules: lint schema's way of building a catalog (environment, migration layouts, scratch database).
  const { report, catalog, environment } = await lintSchema({ paths, database: options.database, config: options.config ?? defaultConfig(), rules: [] });
  const failed = report.findings.find((f) => f.severity === 'error');
  if (failed) {
    const at = failed.location?.file ? `${failed.location.file}${failed.location.line ? `:${failed.location.line}${failed.location.column ? `:${failed.location.column}` : ''}` : ''}: ` : '';
    throw new InputError(`${at}${failed.message} (the schema must build before its model can be read)`);
  }
  // The platform's tables and the migration tool's bookkeeping (schema_migrations) are not the project's model.
  const own = environment ? { ...catalog, tables: catalog.tables.filter((t) => !isEnvironmentObject(`${t.schema}.${t.name}`, environment)) } : catalog;
  return modelFromCatalog(own, { schema: options.schema });
}

/** The model of one schema of a catalog. */
export function modelFromCatalog(catalog: Catalog, options: { schema?: string } = {}): ModelFromCatalog {
  const schema = options.schema ?? 'public';
  const notes: string[] = [];
  const tables = catalog.tables.filter((t) => t.schema === schema && t.kind !== 'foreign table' && !t.partitionOf);
  const byName = new Map(tables.map((t) => [t.name, t]));
  const enumValues = (c: Column) => catalog.enums.find((e) => e.schema === c.typeSchema && e.name === c.typeName)?.values;
  const model: Model = { entities: {} };
  if (schema !== 'public') model.schema = schema;

  const junctions = tables.filter((t) => isJunction(t, byName));
  const entities = tables.filter((t) => !junctions.includes(t));
  for (const t of entities) model.entities[t.name] = {};

  for (const t of entities) {
    const e = model.entities[t.name];
    const handled = new Set<string>();
    const indexHandled = new Set<string>();
    const pk = t.constraints.find((c) => c.type === 'primary key');
    if (pk) indexHandled.add(pk.index ?? '');
    const id = t.columns.find((c) => c.name === 'id');
    if (!id || id.typeName !== 'uuid' || pk?.columns.join() !== 'id') notes.push(`${t.name}: the primary key is not id uuid: the model gives it one (id uuid default gen_random_uuid())`);
    handled.add('id');

    const comment = splitComment(t.comment);
    if (comment.purpose) e.purpose = comment.purpose;
    if (comment.group) e.group = comment.group;

    const has = (name: string, type: string) => t.columns.some((c) => c.name === name && c.typeName === type);
    if (has('created_at', 'timestamptz') && has('updated_at', 'timestamptz') && t.triggers.some((tr) => tr.function.endsWith(UPDATED_AT_FUNCTION) || tr.function.endsWith(`${UPDATED_AT_FUNCTION}()`))) {
      e.audit = true;
      handled.add('created_at').add('updated_at');
    }
    if (has('deleted_at', 'timestamptz')) {
      e.softDelete = true;
      handled.add('deleted_at');
    }

    for (const fk of t.constraints.filter((c) => c.type === 'foreign key')) {
      const ref = fk.references!;
      const [column] = fk.columns;
      const simple = fk.columns.length === 1 && ref.schema === schema && ref.columns.join() === 'id' && column.endsWith('_id');
      if (!simple) {
        notes.push(`${t.name}: the foreign key ${fk.name} (${fk.definition}) is not a <name>_id reference to a table's id: kept as plain fields`);
        continue;
      }
      const col = t.columns.find((c) => c.name === column)!;
      const onDelete = ref.onDelete as OnDelete;
      if (ref.table === t.name && column === 'parent_id') {
        e.parent = onDelete === 'restrict' ? true : { onDelete };
      } else {
        const relation = column.slice(0, -3);
        (e.belongsTo ??= {})[relation] = { entity: ref.table, onDelete, ...(col.notNull ? {} : { required: false }) };
      }
      handled.add(column);
      const index = t.indexes.find((i) => i.name === truncate(`${t.name}_${column}_idx`) && i.columns.join() === column && !i.predicate);
      if (index) indexHandled.add(index.name);
    }

    const status = t.columns.find((c) => c.name === 'status');
    if (status) {
      const values = enumValues(status) ?? checkValues(t, 'status');
      if (values && status.notNull && parseDefault(status) === values[0]) {
        e.status = values;
        if (enumValues(status)) model.enums = true;
        handled.add('status');
      }
    }

    const attributes = t.columns.find((c) => c.name === 'attributes' && c.typeName === 'jsonb' && c.notNull);
    if (attributes && parseDefault(attributes) === '{}') {
      const keys: string[] = [];
      for (const i of t.indexes) {
        const key = i.keys.length === 1 && !i.predicate && !i.unique ? /^\(?attributes ->> '((?:[^']|'')*)'(?:::text)?\)?$/.exec(i.keys[0])?.[1] : undefined;
        if (key !== undefined && i.method === 'btree') {
          keys.push(key.replace(/''/g, "'"));
          indexHandled.add(i.name);
        }
      }
      e.attributes = { keys };
      handled.add('attributes');
    }

    const fields: Record<string, FieldObject> = {};
    for (const c of t.columns) {
      if (handled.has(c.name)) continue;
      const f: FieldObject = { type: canonicalType(enumValues(c) ? `${c.typeName}${c.isArray ? '[]' : ''}` : c.type) };
      if (!c.notNull) f.required = false;
      if (c.default !== undefined) f.default = parseDefault(c);
      if (c.comment?.trim()) f.purpose = c.comment.trim();
      if (c.identity || c.generated) notes.push(`${t.name}.${c.name}: identity and generated columns are not in the model: kept as a plain field`);
      const uniqueConstraint = t.constraints.find((k) => k.type === 'unique' && k.columns.join() === c.name);
      const liveUnique = e.softDelete && t.indexes.find((i) => i.name === truncate(`${t.name}_${c.name}_key`) && i.unique && i.columns.join() === c.name && /^\(?deleted_at IS NULL\)?$/.test(i.predicate ?? ''));
      if (uniqueConstraint && !e.softDelete) {
        f.unique = true;
        indexHandled.add(uniqueConstraint.index ?? uniqueConstraint.name);
      } else if (liveUnique) {
        f.unique = true;
        indexHandled.add(liveUnique.name);
      }
      fields[c.name] = f;
    }
    if (Object.keys(fields).length) e.fields = fields;

    if (e.parent) {
      const index = t.indexes.find((i) => i.name === truncate(`${t.name}_parent_id_idx`));
      if (index) indexHandled.add(index.name);
    }
    const owner = t.policies.find((p) => p.name === truncate(`${t.name}_owner`));
    const ownerColumn = owner?.using && /^\(?([a-z_][a-z0-9_]*) = \(+\s*SELECT /i.exec(owner.using)?.[1];
    if (ownerColumn && t.rlsEnabled) e.owner = ownerColumn;

    const live = t.indexes.find((i) => i.name === truncate(`${t.name}_live_idx`) && /^\(?deleted_at IS NULL\)?$/.test(i.predicate ?? ''));
    if (live && e.softDelete) indexHandled.add(live.name);
    for (const i of t.indexes) {
      if (indexHandled.has(i.name) || t.constraints.some((k) => k.index === i.name && k.type !== 'unique')) continue;
      const spec = indexSpec(t, i);
      if (spec) (e.indexes ??= []).push(spec);
      else notes.push(`${t.name}: the index ${i.name} (${i.definition}) cannot be said in the model`);
    }
  }

  for (const j of junctions) {
    const [left, right] = junctionSides(j);
    const owner = model.entities[left.references!.table];
    if (!owner) continue;
    const other = right.references!.table;
    const singular = left.columns[0].slice(0, -3);
    if (singular !== singularOf(left.references!.table, owner)) owner.singular = singular;
    const table = j.name === `${singularOf(left.references!.table, owner)}_${other}` ? undefined : j.name;
    (owner.manyToMany ??= []).push(table ? { entity: other, table } : other);
  }

  const enumTypes = catalog.enums.filter((e) => e.schema === schema).flatMap((e) => [e.name, `${e.schema}.${e.name}`]);
  return { model: normalizeModel(model, (sql) => prettySql(sql, enumTypes)), notes };
}

/** `table` holds only two references to other tables' ids, together its primary key. */
function isJunction(t: Table, tables: Map<string, Table>): boolean {
  const sides = junctionSides(t);
  if (sides.length !== 2 || t.columns.length !== 2) return false;
  const pk = t.constraints.find((c) => c.type === 'primary key');
  return Boolean(pk && pk.columns.join() === sides.map((s) => s.columns[0]).join() && sides.every((s) => tables.has(s.references!.table)));
}

function junctionSides(t: Table): Constraint[] {
  const pk = t.constraints.find((c) => c.type === 'primary key');
  const fks = t.constraints.filter((c) => c.type === 'foreign key' && c.columns.length === 1 && c.references?.columns.join() === 'id' && c.references.schema === t.schema);
  return (pk?.columns ?? []).map((col) => fks.find((f) => f.columns[0] === col)).filter((f): f is Constraint => Boolean(f));
}

function splitComment(comment: string | undefined): { purpose?: string; group?: string } {
  if (!comment) return {};
  const lines = comment.split('\n');
  const tag = lines.findIndex((l) => l.startsWith(GROUP_TAG));
  const group = tag >= 0 ? lines[tag].slice(GROUP_TAG.length).trim() : undefined;
  const purpose = lines.filter((_, i) => i !== tag).join('\n').trim();
  return { ...(purpose ? { purpose } : {}), ...(group ? { group } : {}) };
}

/** The string literals of `CHECK (col IN (…))` as PostgreSQL prints it: `CHECK ((status = ANY (ARRAY['a'::text, …])))`. */
function checkValues(t: Table, column: string): string[] | undefined {
  for (const c of t.constraints.filter((k) => k.type === 'check' && k.columns.join() === column)) {
    const m = /^CHECK \(\(?\(?([a-z_]+) = ANY \(\(?ARRAY\[(.*)\]\)?(?:::text\[\])?\)\)?\)?\)$/.exec(c.definition);
    if (!m || m[1] !== column) continue;
    const values = [...m[2].matchAll(/'((?:[^']|'')*)'(?:::[a-z ]+)?/g)].map((v) => v[1].replace(/''/g, "'"));
    if (values.length) return values;
  }
  return undefined;
}

/** A column default as the model says it: a literal when it is one, else {sql}. */
function parseDefault(c: Column): DefaultValue | undefined {
  const text = c.default;
  if (text === undefined) return undefined;
  const literal = /^'((?:[^']|'')*)'::([a-z0-9_ ."]+(?:\(\d+(?:,\d+)?\))?)$/.exec(text);
  if (literal) return literal[1].replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(text) && Number.isFinite(Number(text))) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return { sql: text };
}

function indexSpec(t: Table, i: Index): IndexSpec | undefined {
  const spec: IndexSpec = {};
  if (i.columns.every((c): c is string => c !== null)) spec.columns = i.columns;
  else if (i.keys.length === 1) spec.expression = prettySql(i.keys[0]);
  else return undefined;
  if (i.include.length) return undefined;
  if (i.unique) spec.unique = true;
  if (i.predicate) spec.where = prettySql(i.predicate);
  if (i.method !== 'btree') {
    if (!['gin', 'gist', 'hash', 'brin'].includes(i.method)) return undefined;
    spec.method = i.method as IndexSpec['method'];
  }
  if (indexName(t.name, spec) !== i.name) spec.name = i.name;
  return spec;
}

/** PostgreSQL's spelling of an expression, as a person writes it: no outer parentheses, no `::text` on literals. */
export function prettySql(expression: string, enumTypes: string[] = []): string {
  // A literal compared with a text or enum column is read as the column's type: the cast says nothing.
  const casts = ['text', 'character varying', ...enumTypes.map((t) => t.replace(/[^a-z0-9_."]/gi, ''))].join('|');
  let s = expression.trim().replace(new RegExp(`('(?:[^']|'')*')::(${casts})(?![a-z0-9_])`, 'g'), '$1');
  while (s.startsWith('(') && s.endsWith(')') && closes(s)) s = s.slice(1, -1).trim();
  return s;
}

/** The first `(` closes at the last character (outside literals). */
function closes(s: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i === s.length - 1;
  }
  return false;
}

/** The model as a YAML model file. */
export function modelToYaml(model: Model, header?: string): string {
  const yaml = requireCjs('yaml') as typeof Yaml;
  const body = yaml.stringify(model, { lineWidth: 0 });
  return `${header ? `${header.replace(/^/gm, '# ')}\n` : ''}${body}`;
}

