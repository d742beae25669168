// A model → the DDL of the seed's table template: uuid primary keys, NOT NULL business fields, CHECK
// (or enum types) for status, foreign keys with their ON DELETE and an index each, audit columns kept
// by one shared trigger function, soft delete with partial indexes, junction tables, trees, row level
// security for owned rows, and comments from the purpose text. Tables come in dependency order.
import { loadParser } from '../sql/parse.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../sql/quote.js';
import {
  fieldObject,
  fkColumn,
  indexName,
  junctionOf,
  singularOf,
  sqlKey,
  truncate,
  type DefaultValue,
  type Entity,
  type Model,
  type OnDelete,
} from './spec.js';

export interface DdlOptions {
  /** Status columns as enum types (also `enums: true` in the model). */
  enums?: boolean;
  /**
   * supabase: policies compare the owner column with `(select auth.uid())` for the `authenticated` role,
   * and every table gets row level security (public tables without an owner are readable by anon and
   * authenticated, written only by the service role). default: a plain server has no auth.uid(), so
   * policies compare with the `app.user_id` setting the application sets per transaction
   * (`set local app.user_id = '…'`), and only tables with an owner have row level security.
   */
  profile?: 'default' | 'supabase';
}

export interface GeneratedQuery {
  /** e.g. `categories_tree` */
  name: string;
  /** Where it goes in a project, e.g. `queries/categories_tree.sql`. */
  file: string;
  sql: string;
}

export interface GeneratedDdl {
  /** The whole script. */
  sql: string;
  /** The statements, each ending with `;`, in order. */
  statements: string[];
  /** The statements that undo them, in order. */
  down: string[];
  /** Query files to keep beside the schema (a recursive CTE per tree). */
  queries: GeneratedQuery[];
  /** The tables, in the order they are created. */
  tables: string[];
}

/** The shared trigger function audit tables use. */
export const UPDATED_AT_FUNCTION = 'set_updated_at';
/** The line of a table comment that holds the entity's group. */
export const GROUP_TAG = '@group ';

export async function modelToDdl(model: Model, options: DdlOptions = {}): Promise<GeneratedDdl> {
  await loadParser();
  const schema = model.schema ?? 'public';
  const profile = options.profile ?? 'default';
  const enums = options.enums ?? model.enums ?? false;
  const q = (name: string) => quoteQualified(schema, name);
  const id = quoteIdent;
  const entities = model.entities;
  const names = Object.keys(entities);

  const statements: string[] = [];
  const down: string[] = [];
  const queries: GeneratedQuery[] = [];
  const tables: string[] = [];
  const types: string[] = [];

  if (schema !== 'public') statements.push(`create schema if not exists ${id(schema)};`);

  // Dependency order: a table after the tables it refers to; a reference closing a cycle is added
  // by ALTER TABLE once both exist.
  const order: string[] = [];
  const deferred: Array<{ table: string; relation: string }> = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done') return;
    state.set(name, 'visiting');
    for (const [relation, spec] of Object.entries(entities[name].belongsTo ?? {})) {
      const target = typeof spec === 'string' ? spec : spec.entity;
      if (target === name) continue;
      if (state.get(target) === 'visiting') deferred.push({ table: name, relation });
      else visit(target);
    }
    state.set(name, 'done');
    order.push(name);
  };
  names.forEach(visit);
  const isDeferred = (table: string, relation: string) => deferred.some((d) => d.table === table && d.relation === relation);

  const audited = names.some((n) => entities[n].audit);
  if (audited) {
    // search_path pinned to '': the body uses only pg_catalog (now()), which is always searched.
    statements.push(
      [
        `create function ${q(UPDATED_AT_FUNCTION)}() returns trigger`,
        `  language plpgsql`,
        `  set search_path = ''`,
        `as $$`,
        `begin`,
        `  new.updated_at := now();`,
        `  return new;`,
        `end;`,
        `$$;`,
      ].join('\n'),
    );
    statements.push(`comment on function ${q(UPDATED_AT_FUNCTION)}() is ${quoteLiteral('Sets updated_at to the time of the change: the BEFORE UPDATE trigger of every table with audit columns.')};`);
  }

  const uid = profile === 'supabase' ? '(select auth.uid())' : `(select nullif(current_setting('app.user_id', true), '')::uuid)`;
  const policyRoles = profile === 'supabase' ? 'authenticated' : 'public';
  const ownerOf = (name: string) => entities[name]?.owner;

  for (const name of order) {
    const e = entities[name];
    const table = q(name);
    tables.push(name);
    const columns: string[] = [`id uuid primary key default gen_random_uuid()`];
    const indexes: string[] = [];
    const comments: string[] = [];

    for (const [relation, spec] of Object.entries(e.belongsTo ?? {})) {
      const { target, onDelete, required } = relationOf(spec);
      const column = fkColumn(relation);
      const reference = isDeferred(name, relation) ? '' : ` references ${q(target)} (id) on delete ${onDelete}`;
      columns.push(`${id(column)} uuid${required ? ' not null' : ''}${reference}`);
      indexes.push(`create index ${id(truncate(`${name}_${column}_idx`))} on ${table} (${id(column)});`);
    }
    if (e.parent) {
      const onDelete: OnDelete = typeof e.parent === 'object' ? e.parent.onDelete : 'restrict';
      columns.push(`parent_id uuid references ${table} (id) on delete ${onDelete}`);
      indexes.push(`create index ${id(truncate(`${name}_parent_id_idx`))} on ${table} (parent_id);`);
      queries.push(treeQuery(schema, name, e));
    }
    for (const [fname, spec] of Object.entries(e.fields ?? {})) {
      const f = fieldObject(spec);
      const unique = f.unique ? (e.softDelete ? '' : ' unique') : '';
      columns.push(`${id(fname)} ${f.type}${f.required === false ? '' : ' not null'}${f.default !== undefined ? ` default ${renderDefault(f.default)}` : ''}${unique}`);
      if (f.unique && e.softDelete) indexes.push(`create unique index ${id(truncate(`${name}_${fname}_key`))} on ${table} (${id(fname)}) where deleted_at is null;`);
      if (f.purpose?.trim()) comments.push(`comment on column ${table}.${id(fname)} is ${quoteLiteral(f.purpose.trim())};`);
    }
    if (e.status) {
      const values = e.status.map(quoteLiteral).join(', ');
      if (enums) {
        const type = truncate(`${name}_status`);
        statements.push(`create type ${q(type)} as enum (${values});`);
        types.push(type);
        columns.push(`status ${q(type)} not null default ${quoteLiteral(e.status[0])}`);
      } else {
        columns.push(`status text not null default ${quoteLiteral(e.status[0])} check (status in (${values}))`);
      }
    }
    if (e.attributes) {
      columns.push(`attributes jsonb not null default '{}'`);
      for (const key of e.attributes.keys) {
        indexes.push(`create index ${id(truncate(`${name}_attributes_${key.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_idx`))} on ${table} ((attributes ->> ${quoteLiteral(key)}));`);
      }
    }
    if (e.audit) columns.push('created_at timestamptz not null default now()', 'updated_at timestamptz not null default now()');
    if (e.softDelete) columns.push('deleted_at timestamptz');

    for (const index of e.indexes ?? []) {
      const keys = index.columns ? index.columns.map(id).join(', ') : `(${index.expression})`;
      indexes.push(
        `create ${index.unique ? 'unique ' : ''}index ${id(indexName(name, index))} on ${table}${index.method && index.method !== 'btree' ? ` using ${index.method}` : ''} (${keys})${index.where ? ` where ${index.where}` : ''};`,
      );
    }
    // Live-row queries (WHERE deleted_at IS NULL) need an index that holds only live rows.
    if (e.softDelete && !indexes.some((i) => sqlKey(i).includes('where deleted_at is null'))) {
      const firstFk = Object.keys(e.belongsTo ?? {})[0];
      const key = firstFk ? fkColumn(firstFk) : e.audit ? 'created_at' : 'id';
      indexes.push(`create index ${id(truncate(`${name}_live_idx`))} on ${table} (${id(key)}) where deleted_at is null;`);
    }

    statements.push(`create table ${table} (\n  ${columns.join(',\n  ')}\n);`);
    statements.push(...indexes);
    if (e.audit) statements.push(`create trigger ${id(truncate(`${name}_set_updated_at`))} before update on ${table} for each row execute function ${q(UPDATED_AT_FUNCTION)}();`);
    const comment = [e.purpose?.trim(), e.group ? `${GROUP_TAG}${e.group}` : undefined].filter(Boolean).join('\n');
    if (comment) statements.push(`comment on table ${table} is ${quoteLiteral(comment)};`);
    statements.push(...comments);
    statements.push(...rowSecurity(name, e));
  }

  for (const { table, relation } of deferred) {
    const { target, onDelete } = relationOf(entities[table].belongsTo![relation]);
    const column = fkColumn(relation);
    statements.push(`alter table ${q(table)} add constraint ${id(truncate(`${table}_${column}_fkey`))} foreign key (${id(column)}) references ${q(target)} (id) on delete ${onDelete};`);
  }

  // Junction tables: both keys, the composite primary key serving lookups from the first side and the
  // reverse index from the second.
  for (const name of names) {
    const e = entities[name];
    for (const link of e.manyToMany ?? []) {
      const { entity: other, table: junction } = junctionOf(name, e, link);
      const left = fkColumn(singularOf(name, e));
      const right = fkColumn(other === name ? `related_${singularOf(other, entities[other])}` : singularOf(other, entities[other]));
      const table = q(junction);
      tables.push(junction);
      statements.push(
        [
          `create table ${table} (`,
          `  ${id(left)} uuid not null references ${q(name)} (id) on delete cascade,`,
          `  ${id(right)} uuid not null references ${q(other)} (id) on delete cascade,`,
          `  primary key (${id(left)}, ${id(right)})`,
          `);`,
        ].join('\n'),
      );
      statements.push(`create index ${id(truncate(`${junction}_${right}_${left}_idx`))} on ${table} (${id(right)}, ${id(left)});`);
      statements.push(`comment on table ${table} is ${quoteLiteral(`Links ${name} to ${other} (many-to-many): one row per pair.`)};`);
      statements.push(...junctionSecurity(junction, name, left, other, right));
    }
  }

  for (const t of [...tables].reverse()) down.push(`drop table if exists ${q(t)};`);
  if (audited) down.push(`drop function if exists ${q(UPDATED_AT_FUNCTION)}();`);
  for (const t of types.reverse()) down.push(`drop type if exists ${q(t)};`);
  if (schema !== 'public') down.push(`drop schema if exists ${id(schema)};`);

  const header = `-- Generated by pgarch model from the model file: edit the model, not this file.\n`;
  return { sql: header + statements.join('\n\n') + '\n', statements, down, queries, tables };

  function rowSecurity(name: string, e: Entity): string[] {
    const table = q(name);
    const enable = `alter table ${table} enable row level security;`;
    if (e.owner) {
      const check = `${id(e.owner)} = ${uid}`;
      return [enable, `create policy ${id(truncate(`${name}_owner`))} on ${table} for all to ${policyRoles} using (${check}) with check (${check});`];
    }
    // Rows of an owned parent (order items of an order): the owner of the parent's row.
    const via = Object.entries(e.belongsTo ?? {}).find(([, spec]) => {
      const r = relationOf(spec);
      return r.required && ownerOf(r.target) && r.target !== name;
    });
    if (via) {
      const [relation, spec] = via;
      const target = relationOf(spec).target;
      const check = `exists (select 1 from ${q(target)} p where p.id = ${id(name)}.${id(fkColumn(relation))} and p.${id(ownerOf(target)!)} = ${uid})`;
      return [enable, `create policy ${id(truncate(`${name}_owner_via_${relation}`))} on ${table} for all to ${policyRoles} using (${check}) with check (${check});`];
    }
    return publicRead(name);
  }

  function junctionSecurity(junction: string, left: string, leftColumn: string, right: string, rightColumn: string): string[] {
    const owned = [
      [left, leftColumn],
      [right, rightColumn],
    ].filter(([entity]) => ownerOf(entity));
    if (!owned.length) return publicRead(junction);
    const check = owned.map(([entity, column]) => `exists (select 1 from ${q(entity)} p where p.id = ${id(junction)}.${id(column)} and p.${id(ownerOf(entity)!)} = ${uid})`).join(' and ');
    return [`alter table ${q(junction)} enable row level security;`, `create policy ${id(truncate(`${junction}_owner`))} on ${q(junction)} for all to ${policyRoles} using (${check}) with check (${check});`];
  }

  /** Supabase exposes every table in public to the API: one without an owner is read-only there (written by the service role). */
  function publicRead(name: string): string[] {
    if (profile !== 'supabase') return [];
    return [`alter table ${q(name)} enable row level security;`, `create policy ${id(truncate(`${name}_read`))} on ${q(name)} for select to anon, authenticated using (true);`];
  }
}

function relationOf(spec: NonNullable<Entity['belongsTo']>[string]): { target: string; onDelete: OnDelete; required: boolean } {
  if (typeof spec === 'string') return { target: spec, onDelete: 'restrict', required: true };
  return { target: spec.entity, onDelete: spec.onDelete ?? 'restrict', required: spec.required ?? true };
}

export function renderDefault(value: DefaultValue): string {
  if (typeof value === 'object') return value.sql;
  if (typeof value === 'string') return quoteLiteral(value);
  return String(value);
}

/** The subtree under one node, depth first, with its depth and path; a cycle in the data stops the walk. */
function treeQuery(schema: string, name: string, e: Entity): GeneratedQuery {
  const table = quoteQualified(schema, name);
  const extra = Object.keys(e.fields ?? {}).map(quoteIdent);
  const cols = (alias: string) => ['id', 'parent_id', ...extra].map((c) => `${alias}.${c}`).join(', ');
  const sql = [
    `-- The ${name} under one ${singularOf(name, e)} (its whole subtree, itself included), with each row's depth and path.`,
    `-- $1: the id of the subtree's root. Generated by pgarch model.`,
    `with recursive tree as (`,
    `  select ${cols('n')}, 0 as depth, array[n.id] as path`,
    `  from ${table} n`,
    `  where n.id = $1`,
    `  union all`,
    `  select ${cols('c')}, t.depth + 1, t.path || c.id`,
    `  from ${table} c`,
    `  join tree t on c.parent_id = t.id`,
    `  where c.id <> all (t.path)`,
    `)`,
    `select ${['id', 'parent_id', ...extra].map((c) => `tree.${c}`).join(', ')}, tree.depth, tree.path`,
    `from tree`,
    `order by tree.path;`,
  ].join('\n');
  return { name: `${name}_tree`, file: `queries/${name}_tree.sql`, sql: sql + '\n' };
}
