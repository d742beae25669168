// Read the catalog into plain data: one round trip per object kind, user objects only (system
// schemas and objects that belong to an extension are left out). Runs unchanged on PG 13–18.
import type { Queryable } from '../engine/types.js';
import type { Catalog, Column, Constraint, ConstraintType, ForeignKeyAction, Index, Policy, Table, TableKind, Trigger } from './types.js';

const USER_NAMESPACE = `n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'`;
const NOT_EXTENSION_MEMBER = (oidExpr: string, classTable: string) =>
  `not exists (select 1 from pg_depend d where d.classid = '${classTable}'::regclass and d.objid = ${oidExpr} and d.deptype = 'e')`;

const TABLES = `
select c.oid::int8::float8 as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind,
       c.reltuples::float8 as reltuples, c.relpages::int as relpages, c.relfilenode::int8::float8 as relfilenode,
       c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
       dsc.description as comment,
       -- only partitions look up a parent (a CASE: the subquery runs for them alone)
       case when c.relispartition then
         (select pn.nspname || '.' || p.relname from pg_inherits i join pg_class p on p.oid = i.inhparent
            join pg_namespace pn on pn.oid = p.relnamespace where i.inhrelid = c.oid limit 1) end as partition_of
from pg_class c join pg_namespace n on n.oid = c.relnamespace
left join pg_description dsc on dsc.objoid = c.oid and dsc.classoid = 'pg_class'::regclass and dsc.objsubid = 0
where c.relkind in ('r', 'p', 'f') and ${USER_NAMESPACE} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')} /*c.oid*/
order by n.nspname, c.relname`;

const COLUMNS = `
select a.attrelid::int8::float8 as table_oid, a.attname as name, a.attnum::int as position,
       format_type(a.atttypid, a.atttypmod) as type,
       coalesce(et.typname, t.typname) as type_name, tn.nspname as type_schema, et.oid is not null as is_array,
       case when a.atttypmod >= 0 then a.atttypmod else null end as typmod,
       a.attnotnull as not_null, pg_get_expr(ad.adbin, ad.adrelid) as default_expr,
       a.attidentity::text as identity, a.attgenerated::text as generated,
       dsc.description as comment,
       -- serial columns default to nextval() of a sequence they own through an 'auto' dependency
       -- (identity columns use 'internal'); the dependency is only looked up for nextval defaults.
       case when ad.adbin is not null and pg_get_expr(ad.adbin, ad.adrelid) like 'nextval(%' then
         exists (select 1 from pg_depend d join pg_class s on s.oid = d.objid and s.relkind = 'S'
                  where d.refclassid = 'pg_class'::regclass and d.refobjid = a.attrelid and d.refobjsubid = a.attnum
                    and d.classid = 'pg_class'::regclass and d.deptype = 'a')
       else false end as owns_sequence
from pg_attribute a
join pg_class c on c.oid = a.attrelid and c.relkind in ('r', 'p', 'f')
join pg_namespace n on n.oid = c.relnamespace
join pg_type t on t.oid = a.atttypid
left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
join pg_namespace tn on tn.oid = coalesce(et.typnamespace, t.typnamespace)
left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
-- a join, not col_description(): that SQL function is planned and run once per column
left join pg_description dsc on dsc.objoid = a.attrelid and dsc.classoid = 'pg_class'::regclass and dsc.objsubid = a.attnum
where a.attnum > 0 and not a.attisdropped and ${USER_NAMESPACE} /*a.attrelid*/
order by a.attrelid, a.attnum`;

const CONSTRAINTS = `
select con.conrelid::int8::float8 as table_oid, con.conname as name, con.contype::text as type,
       con.convalidated as validated, con.condeferrable as deferrable, pg_get_constraintdef(con.oid, true) as definition,
       (select coalesce(array_agg(a.attname::text order by k.ord), '{}') from unnest(con.conkey) with ordinality k(num, ord)
          join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num) as columns,
       rn.nspname as ref_schema, rc.relname as ref_table,
       (select array_agg(a.attname::text order by k.ord) from unnest(con.confkey) with ordinality k(num, ord)
          join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num) as ref_columns,
       con.confdeltype::text as on_delete, con.confupdtype::text as on_update,
       ic.relname as index_name
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
left join pg_class rc on rc.oid = con.confrelid
left join pg_namespace rn on rn.oid = rc.relnamespace
left join pg_class ic on ic.oid = con.conindid and con.contype in ('p', 'u', 'x')
-- conparentid: copies PostgreSQL makes of a constraint for each partition (PG 11+) are not the user's own
where con.contype in ('p', 'f', 'u', 'c', 'x') and con.conparentid = 0 and ${USER_NAMESPACE} /*con.conrelid*/
order by con.conrelid, con.conname`;

const INDEXES = `
select i.indrelid::int8::float8 as table_oid, ic.oid::int8::float8 as oid, n.nspname as schema, ic.relname as name,
       i.indisunique as is_unique, i.indisprimary as is_primary, i.indisvalid as is_valid, am.amname as method,
       i.indnkeyatts::int as key_count, i.indnatts::int as att_count,
       (select array_agg(case when k.num = 0 then null else a.attname::text end order by k.ord)
          from unnest(i.indkey::int2[]) with ordinality k(num, ord)
          left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.num) as columns,
       (select array_agg(pg_get_indexdef(i.indexrelid, k, true) order by k) from generate_series(1, i.indnatts::int) k) as keys,
       pg_get_expr(i.indpred, i.indrelid, true) as predicate, pg_get_indexdef(i.indexrelid) as definition,
       ic.relfilenode::int8::float8 as relfilenode,
       (select con.conname from pg_constraint con where con.conindid = i.indexrelid and con.conrelid = i.indrelid
          and con.contype in ('p', 'u', 'x') limit 1) as constraint_name
from pg_index i
join pg_class ic on ic.oid = i.indexrelid
join pg_class c on c.oid = i.indrelid and c.relkind in ('r', 'p', 'm', 'f')
join pg_namespace n on n.oid = c.relnamespace
join pg_am am on am.oid = ic.relam
where ${USER_NAMESPACE} /*i.indrelid*/
order by i.indrelid, ic.relname`;

const TRIGGERS = `
select t.tgrelid::int8::float8 as table_oid, t.tgname as name, pn.nspname || '.' || p.proname as function,
       t.tgtype::int as type, t.tgenabled <> 'D' as enabled, pg_get_triggerdef(t.oid, true) as definition
from pg_trigger t
join pg_class c on c.oid = t.tgrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_proc p on p.oid = t.tgfoid
join pg_namespace pn on pn.oid = p.pronamespace
where not t.tgisinternal and ${USER_NAMESPACE} /*t.tgrelid*/
order by t.tgrelid, t.tgname`;

const POLICIES = `
select p.polrelid::int8::float8 as table_oid, p.polname as name, p.polcmd::text as cmd, p.polpermissive as permissive,
       (select coalesce(array_agg(case when r = 0 then 'public' else pg_get_userbyid(r)::text end order by r), '{}')
          from unnest(p.polroles) r) as roles,
       pg_get_expr(p.polqual, p.polrelid, true) as using_expr, pg_get_expr(p.polwithcheck, p.polrelid, true) as check_expr
from pg_policy p
join pg_class c on c.oid = p.polrelid
join pg_namespace n on n.oid = c.relnamespace
where ${USER_NAMESPACE} /*p.polrelid*/
order by p.polrelid, p.polname`;

const SCHEMAS = `
select n.nspname as name, pg_get_userbyid(n.nspowner) as owner, obj_description(n.oid, 'pg_namespace') as comment
from pg_namespace n where ${USER_NAMESPACE} and ${NOT_EXTENSION_MEMBER('n.oid', 'pg_namespace')} order by n.nspname`;

const VIEWS = `
select c.oid::int8::float8 as oid, n.nspname as schema, c.relname as name, c.relkind = 'm' as materialized,
       pg_get_viewdef(c.oid, true) as definition, coalesce(c.reloptions, '{}')::text[] as options,
       obj_description(c.oid, 'pg_class') as comment
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'm') and ${USER_NAMESPACE} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
order by n.nspname, c.relname`;

const ENUMS = `
select n.nspname as schema, t.typname as name, array_agg(e.enumlabel::text order by e.enumsortorder) as values
from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
where ${USER_NAMESPACE} and ${NOT_EXTENSION_MEMBER('t.oid', 'pg_type')}
group by n.nspname, t.typname order by n.nspname, t.typname`;

const SEQUENCES = `
select n.nspname as schema, c.relname as name, format_type(s.seqtypid, null) as data_type, s.seqmax::float8 as max_value,
       tn.nspname || '.' || tc.relname || '.' || a.attname as owned_by
from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')
  and d.refclassid = 'pg_class'::regclass and d.refobjsubid > 0
left join pg_class tc on tc.oid = d.refobjid
left join pg_namespace tn on tn.oid = tc.relnamespace
left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
where ${USER_NAMESPACE} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
order by n.nspname, c.relname`;

const FUNCTIONS = `
select p.oid::int8::float8 as oid, n.nspname as schema, p.proname as name,
       pg_get_function_identity_arguments(p.oid) as arguments, pg_get_function_result(p.oid) as returns, p.prokind::text as prokind,
       l.lanname as language, p.prosecdef as security_definer, p.provolatile::text as volatility,
       coalesce(p.proconfig, '{}')::text[] as config
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
where p.prokind in ('f', 'p') and ${USER_NAMESPACE} and ${NOT_EXTENSION_MEMBER('p.oid', 'pg_proc')}
order by n.nspname, p.proname`;

const EXTENSIONS = `
select e.extname as name, n.nspname as schema, e.extversion as version
from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname <> 'plpgsql' order by e.extname`;

const TABLE_KIND: Record<string, TableKind> = { r: 'table', p: 'partitioned table', f: 'foreign table' };
const CONSTRAINT_TYPE: Record<string, ConstraintType> = { p: 'primary key', f: 'foreign key', u: 'unique', c: 'check', x: 'exclusion' };
const FK_ACTION: Record<string, ForeignKeyAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const POLICY_COMMAND: Record<string, Policy['command']> = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' };

type Row = Record<string, any>;
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

/** Read the whole user catalog, one query per object kind, joined in memory. */
export async function introspect(engine: Queryable): Promise<Catalog> {
  const q = async (sql: string) => (await engine.query<Row>(sql)).rows;
  const version = Number((await q(`select current_setting('server_version_num') as v`))[0].v);
  const tables = await readTables(engine);
  return {
    serverVersion: version,
    schemas: (await q(SCHEMAS)).map((r) => ({ name: r.name, owner: r.owner, comment: opt(r.comment) })),
    tables,
    views: (await q(VIEWS)).map((r) => ({ oid: r.oid, schema: r.schema, name: r.name, materialized: r.materialized, definition: r.definition, options: r.options, comment: opt(r.comment) })),
    enums: (await q(ENUMS)).map((r) => ({ schema: r.schema, name: r.name, values: r.values })),
    sequences: (await q(SEQUENCES)).map((r) => ({ schema: r.schema, name: r.name, dataType: r.data_type, maxValue: r.max_value, ownedBy: opt(r.owned_by) })),
    functions: (await q(FUNCTIONS)).map((r) => ({
      oid: r.oid,
      schema: r.schema,
      name: r.name,
      arguments: r.arguments,
      kind: r.prokind === 'p' ? 'procedure' : 'function',
      returns: opt(r.returns),
      language: r.language,
      securityDefiner: r.security_definer,
      volatility: ({ i: 'immutable', s: 'stable', v: 'volatile' } as const)[r.volatility as 'i' | 's' | 'v'],
      config: r.config,
    })),
    extensions: (await q(EXTENSIONS)).map((r) => ({ name: r.name, schema: r.schema, version: r.version })),
  };
}

/**
 * Tables with their columns, constraints, indexes, triggers and policies; all of them, or only those
 * with the given oids (incremental reads while migrations run: one round trip per kind either way).
 */
export async function readTables(engine: Queryable, oids?: number[]): Promise<Table[]> {
  if (oids && oids.length === 0) return [];
  const q = async (sql: string) => {
    if (!oids) return (await engine.query<Row>(sql)).rows;
    // The placeholder names the column holding the table's oid in each query.
    const scoped = sql.replace(/\/\*([a-z]+\.[a-z]+)\*\//, (_m, column: string) => `and ${column} = any($1::oid[])`);
    return (await engine.query<Row>(scoped, [oids])).rows;
  };
  const tableRows = await q(TABLES);
  const byOid = new Map<number, Table>();
  for (const r of tableRows) byOid.set(r.oid, toTable(r));
  if (byOid.size === 0) return [];
  for (const r of await q(COLUMNS)) byOid.get(r.table_oid)?.columns.push(toColumn(r));
  for (const r of await q(CONSTRAINTS)) byOid.get(r.table_oid)?.constraints.push(toConstraint(r));
  for (const r of await q(INDEXES)) byOid.get(r.table_oid)?.indexes.push(toIndex(r));
  for (const r of await q(TRIGGERS)) byOid.get(r.table_oid)?.triggers.push(toTrigger(r));
  for (const r of await q(POLICIES)) byOid.get(r.table_oid)?.policies.push(toPolicy(r));
  return [...byOid.values()];
}

const scopedTo = (sql: string, oidExpr: string) => sql.replace(/\/\*([a-z]+\.[a-z]+)\*\//, (_m, column: string) => `and ${column} = ${oidExpr}`);

/** One table, its details as JSON, given `target(oid)` in scope. */
const TABLE_JSON = `
select json_build_object(
  'tbl', (select row_to_json(x) from (${scopedTo(TABLES, '(select oid from target)')}) x),
  'columns', (select json_agg(x) from (${scopedTo(COLUMNS, '(select oid from target)')}) x),
  'constraints', (select json_agg(x) from (${scopedTo(CONSTRAINTS, '(select oid from target)')}) x),
  'indexes', (select json_agg(x) from (${scopedTo(INDEXES, '(select oid from target)')}) x),
  'triggers', (select json_agg(x) from (${scopedTo(TRIGGERS, '(select oid from target)')}) x),
  'policies', (select json_agg(x) from (${scopedTo(POLICIES, '(select oid from target)')}) x))`;

/**
 * A session-local function that reads one table by name: plpgsql keeps its plan between calls, so the
 * migration runner's frequent single-table reads skip parsing and planning the large catalog query.
 * (A generic plan, always: left to choose, plpgsql may plan the query anew for every call, ~2.5 ms on
 * PGlite, for a plan no better than the generic one, which runs in 0.1–1 ms.)
 * It lives in pg_temp: never part of the catalog pgarch reports, gone when the session ends.
 */
export const TABLE_READER_FUNCTION = `
create or replace function pg_temp.pgarch_table_json(schema_name text, table_name text) returns json language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
declare result json;
begin
  with target as (select (case when schema_name is null then to_regclass(format('%I', table_name))
                               else to_regclass(format('%I.%I', schema_name, table_name)) end)::oid as oid)
  ${TABLE_JSON.trim()} into result;
  return result;
end $fn$`;

/**
 * Part of one table (session-local, like the above): the named columns and those of its primary key,
 * the constraints on the named columns (their conkey) and the primary key, and, when asked, the
 * indexes with a named column among their keys; no triggers or policies. On a wide table with many
 * indexes it costs a fraction of the whole read.
 */
export const TABLE_PART_READER_FUNCTION = `
create or replace function pg_temp.pgarch_table_part_json(schema_name text, table_name text, column_names text[], with_indexes boolean) returns json language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
declare result json;
begin
  with target as (select (case when schema_name is null then to_regclass(format('%I', table_name))
                               else to_regclass(format('%I.%I', schema_name, table_name)) end)::oid as oid)
  select json_build_object(
    'tbl', (select row_to_json(x) from (${scopedTo(TABLES, '(select oid from target)')}) x),
    'columns', (select json_agg(x) from (${scopedTo(COLUMNS, '(select oid from target)')}) x
                 where x.name = any(column_names)
                    or x.position = any(coalesce((select k.conkey from pg_constraint k where k.conrelid = (select oid from target) and k.contype = 'p'), '{}'))),
    'constraints', (select json_agg(x) from (${scopedTo(CONSTRAINTS, '(select oid from target)')}) x where x.columns && column_names or x.type = 'p'),
    'indexes', case when with_indexes then
      (select json_agg(x) from (${scopedTo(INDEXES, '(select oid from target)')}) x where x.columns[1:x.key_count] && column_names) end) into result;
  return result;
end $fn$`;

/** One column of a table by name, for rules that decide from a column's type alone (session-local, like the above). */
export const COLUMN_READER_FUNCTION = `
create or replace function pg_temp.pgarch_column_json(schema_name text, table_name text, column_name text) returns json language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
declare result json;
begin
  with target as (select (case when schema_name is null then to_regclass(format('%I', table_name))
                               else to_regclass(format('%I.%I', schema_name, table_name)) end)::oid as oid)
  select row_to_json(x) into result from (${scopedTo(COLUMNS, '(select oid from target)')}) x where x.name = column_name;
  return result;
end $fn$`;

/** Map the JSON of pg_temp.pgarch_column_json to a Column. */
export function columnFromJson(r: Row | null | undefined): Column | undefined {
  return r ? toColumn(r) : undefined;
}

/** Map the JSON of pg_temp.pgarch_table_json (or of readTableByName) to a Table. */
export function tableFromJson(r: Row | null | undefined): Table | undefined {
  if (!r?.tbl) return undefined;
  return {
    ...toTable(r.tbl as Row),
    columns: (r.columns ?? []).map(toColumn),
    constraints: (r.constraints ?? []).map(toConstraint),
    indexes: (r.indexes ?? []).map(toIndex),
    triggers: (r.triggers ?? []).map(toTrigger),
    policies: (r.policies ?? []).map(toPolicy),
  };
}

/** One table by name, resolved as a statement would resolve it (search_path, quoting), in one round trip. */
export async function readTableByName(engine: Queryable, name: { schemaname?: string; relname: string }): Promise<Table | undefined> {
  const regclass = name.schemaname ? `format('%I.%I', $1::text, $2::text)` : `format('%I', $1::text)`;
  const { rows } = await engine.query<{ t: Row }>(
    `with target as (select to_regclass(${regclass})::oid as oid) select (${TABLE_JSON}) as t`,
    name.schemaname ? [name.schemaname, name.relname] : [name.relname],
  );
  return tableFromJson(rows[0]?.t);
}

function toTable(r: Row): Table {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    kind: TABLE_KIND[r.kind],
    reltuples: r.reltuples,
    relpages: r.relpages,
    relfilenode: r.relfilenode,
    rlsEnabled: r.rls_enabled,
    rlsForced: r.rls_forced,
    partitionOf: opt(r.partition_of),
    comment: opt(r.comment),
    columns: [],
    constraints: [],
    indexes: [],
    triggers: [],
    policies: [],
  };
}

function toPolicy(r: Row): Policy {
  return { name: r.name, command: POLICY_COMMAND[r.cmd], permissive: r.permissive, roles: r.roles, using: opt(r.using_expr), withCheck: opt(r.check_expr) };
}

function toColumn(r: Row): Column {
  return {
    name: r.name,
    position: r.position,
    type: r.type,
    typeName: r.type_name,
    typeSchema: r.type_schema,
    isArray: r.is_array,
    typeModifier: opt(r.typmod),
    notNull: r.not_null,
    default: opt(r.default_expr),
    identity: r.identity === 'a' ? 'always' : r.identity === 'd' ? 'by default' : undefined,
    generated: r.generated === 's' ? 'stored' : r.generated === 'v' ? 'virtual' : undefined,
    serial: r.owns_sequence && !r.identity,
    comment: opt(r.comment),
  };
}

function toConstraint(r: Row): Constraint {
  const type = CONSTRAINT_TYPE[r.type];
  return {
    name: r.name,
    type,
    columns: r.columns ?? [],
    validated: r.validated,
    deferrable: r.deferrable,
    definition: r.definition,
    references:
      type === 'foreign key'
        ? { schema: r.ref_schema, table: r.ref_table, columns: r.ref_columns ?? [], onDelete: FK_ACTION[r.on_delete], onUpdate: FK_ACTION[r.on_update] }
        : undefined,
    index: opt(r.index_name),
  };
}

function toIndex(r: Row): Index {
  const parts: Array<string | null> = r.columns ?? [];
  const keys: string[] = r.keys ?? [];
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    columns: parts.slice(0, r.key_count),
    keys: keys.slice(0, r.key_count),
    include: parts.slice(r.key_count).filter((c): c is string => c !== null),
    unique: r.is_unique,
    primary: r.is_primary,
    valid: r.is_valid,
    method: r.method,
    predicate: opt(r.predicate),
    definition: r.definition,
    relfilenode: r.relfilenode,
    constraint: opt(r.constraint_name),
  };
}

// pg_trigger.tgtype bits (see pg_trigger.h): ROW=1, BEFORE=2, INSERT=4, DELETE=8, UPDATE=16, TRUNCATE=32, INSTEAD=64.
function toTrigger(r: Row): Trigger {
  const t: number = r.type;
  const events: Trigger['events'] = [];
  if (t & 4) events.push('insert');
  if (t & 16) events.push('update');
  if (t & 8) events.push('delete');
  if (t & 32) events.push('truncate');
  return {
    name: r.name,
    function: r.function,
    timing: t & 64 ? 'instead of' : t & 2 ? 'before' : 'after',
    events,
    forEachRow: Boolean(t & 1),
    enabled: r.enabled,
    definition: r.definition,
  };
}

/** `schema.name` as PostgreSQL would print it unquoted (for messages). */
export function qualifiedName(schema: string, name: string): string {
  return `${schema}.${name}`;
}
