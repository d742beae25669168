// A schema's fingerprint: every user object (system schemas, temporary schemas and objects that belong
// to an extension left out) by kind and name, with what PostgreSQL says defines it — in one catalog
// query. Two fingerprints of the same schema are equal whatever the OIDs, relfilenodes, data or
// statistics; the differences between two are listed in words ("index orders_total_idx: missing").
// What it covers: schemas, extensions, tables (partitioning, inheritance, persistence, options, row-level
// security, replica identity), columns (order, type, nullability, default, identity, generated,
// collation), constraints (of tables and domains), indexes, views and materialized views (definition),
// composite types, sequences (parameters and owner column), functions, procedures and aggregates,
// enums (labels in order), domains, range types, triggers, policies, rules, extended statistics, and
// the comments and privileges of each.
import type { Queryable } from '../engine/types.js';

/** One object of the schema, as the fingerprint holds it. */
export interface SchemaObject {
  /** What it is, in PostgreSQL's words: table, column, index, constraint, function, enum… */
  kind: string;
  /** Schema-qualified as PostgreSQL prints it (`public.orders`, `public.orders.note`, `public.f(integer)`). */
  name: string;
  /** `kind name` of the relation or type it belongs to (a column's table), if any. */
  parent?: string;
  /** What defines it, by attribute ('type', 'default', 'definition', 'comment'…): only those it has. */
  attributes: Record<string, string>;
}

export type SchemaFingerprint = SchemaObject[];

const USER_NAMESPACE = (ns: string) => `${ns}.nspname <> 'information_schema' and ${ns}.nspname not like 'pg\\_%'`;
const NOT_EXTENSION_MEMBER = (oid: string, catalog: string) =>
  `not exists (select 1 from pg_depend e where e.classid = '${catalog}'::regclass and e.objid = ${oid} and e.deptype = 'e')`;

// Read with search_path = pg_catalog (see schemaFingerprint): every user name comes out schema-qualified,
// the same whatever search_path the migrations left.
const FINGERPRINT = `
with rel as materialized (
  select c.oid, c.relkind, c.oid::regclass::text as name,
         case c.relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view' when 'm' then 'materialized view'
           when 'f' then 'foreign table' when 'c' then 'type' when 'S' then 'sequence' end as kind
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p', 'v', 'm', 'f', 'c', 'S') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
), typ as materialized (
  select t.oid, t.typtype, format_type(t.oid, null) as name,
         case t.typtype when 'e' then 'enum' when 'd' then 'domain' else 'range type' end as kind
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
   where t.typtype in ('e', 'd', 'r') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('t.oid', 'pg_type')}
), objects(kind, name, parent, attributes) as (
  select 'schema', quote_ident(n.nspname), null::text, json_build_object(
           'privileges', n.nspacl::text, 'comment', obj_description(n.oid, 'pg_namespace'))
    from pg_namespace n where ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('n.oid', 'pg_namespace')}
  union all
  select 'extension', quote_ident(x.extname), null, json_build_object('version', x.extversion, 'schema', x.extnamespace::regnamespace::text)
    from pg_extension x
  union all
  select r.kind, r.name, null, json_build_object(
           'partition key', case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end,
           'partition of', case when c.relispartition then (select i.inhparent::regclass::text from pg_inherits i where i.inhrelid = c.oid limit 1) end,
           'partition bound', case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end,
           'inherits', case when not c.relispartition then (select string_agg(i.inhparent::regclass::text, ', ' order by i.inhseqno) from pg_inherits i where i.inhrelid = c.oid) end,
           'unlogged', case when c.relpersistence = 'u' then 'yes' end,
           'access method', case when c.relkind in ('r', 'm') then nullif((select am.amname::text from pg_am am where am.oid = c.relam), 'heap') end,
           'options', array_to_string(c.reloptions, ', '),
           'row-level security', case when c.relrowsecurity then 'enabled' end,
           'forced row-level security', case when c.relforcerowsecurity then 'yes' end,
           'replica identity', case when c.relkind in ('r', 'p') and c.relreplident <> 'd' then c.relreplident::text end,
           'definition', case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end,
           -- the live columns in order (a dropped column's number is never reused)
           'column order', case when c.relkind <> 'S' then (select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) end,
           'data type', format_type(s.seqtypid, null), 'start', s.seqstart::text, 'increment', s.seqincrement::text,
           'minimum', s.seqmin::text, 'maximum', s.seqmax::text, 'cache', s.seqcache::text, 'cycle', case when s.seqcycle then 'yes' end,
           'owned by', case when c.relkind = 'S' then (
             select d.refobjid::regclass::text || '.' || quote_ident(a.attname) from pg_depend d
               join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
              where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i') limit 1) end,
           'privileges', c.relacl::text, 'comment', obj_description(c.oid, 'pg_class'))
    from rel r join pg_class c on c.oid = r.oid left join pg_sequence s on s.seqrelid = c.oid
  union all
  select 'column', r.name || '.' || quote_ident(a.attname), r.kind || ' ' || r.name, json_build_object(
           'type', format_type(a.atttypid, a.atttypmod),
           'not null', case when a.attnotnull then 'yes' end,
           'default', pg_get_expr(ad.adbin, ad.adrelid),
           'identity', case a.attidentity when 'a' then 'always' when 'd' then 'by default' end,
           'generated', case a.attgenerated when 's' then 'stored' when 'v' then 'virtual' end,
           'collation', case when a.attcollation <> t.typcollation then (select co.collname::text from pg_collation co where co.oid = a.attcollation) end,
           'privileges', a.attacl::text, 'comment', col_description(a.attrelid, a.attnum))
    from rel r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
    left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
    left join pg_type t on t.oid = a.atttypid
   where r.relkind <> 'S'
  union all
  select 'index', i.indexrelid::regclass::text, r.kind || ' ' || r.name, json_build_object(
           'definition', pg_get_indexdef(i.indexrelid),
           'valid', case when not i.indisvalid then 'no' end,
           'clustered', case when i.indisclustered then 'yes' end,
           'replica identity', case when i.indisreplident then 'yes' end,
           'comment', obj_description(i.indexrelid, 'pg_class'))
    from rel r join pg_index i on i.indrelid = r.oid
  union all
  select 'constraint', coalesce(r.name, y.name) || '.' || quote_ident(k.conname), coalesce(r.kind || ' ' || r.name, y.kind || ' ' || y.name), json_build_object(
           'definition', pg_get_constraintdef(k.oid), 'comment', obj_description(k.oid, 'pg_constraint'))
    from pg_constraint k left join rel r on r.oid = k.conrelid left join typ y on y.oid = k.contypid
   where r.oid is not null or y.oid is not null
  union all
  select 'trigger', r.name || '.' || quote_ident(g.tgname), r.kind || ' ' || r.name, json_build_object(
           'definition', pg_get_triggerdef(g.oid),
           'enabled', case g.tgenabled when 'D' then 'disabled' when 'R' then 'replica' when 'A' then 'always' end,
           'comment', obj_description(g.oid, 'pg_trigger'))
    from rel r join pg_trigger g on g.tgrelid = r.oid and not g.tgisinternal
  union all
  select 'policy', r.name || '.' || quote_ident(p.polname), r.kind || ' ' || r.name, json_build_object(
           'command', case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
           'restrictive', case when not p.polpermissive then 'yes' end,
           'roles', (select string_agg(role, ', ' order by role) from (select case when o = 0 then 'public' else pg_get_userbyid(o)::text end as role from unnest(p.polroles) o) q),
           'using', pg_get_expr(p.polqual, p.polrelid), 'with check', pg_get_expr(p.polwithcheck, p.polrelid),
           'comment', obj_description(p.oid, 'pg_policy'))
    from rel r join pg_policy p on p.polrelid = r.oid
  union all
  select 'rule', r.name || '.' || quote_ident(w.rulename), r.kind || ' ' || r.name, json_build_object(
           'definition', pg_get_ruledef(w.oid), 'comment', obj_description(w.oid, 'pg_rewrite'))
    from rel r join pg_rewrite w on w.ev_class = r.oid and w.rulename <> '_RETURN'
  union all
  select 'statistics', quote_ident(n.nspname) || '.' || quote_ident(x.stxname), r.kind || ' ' || r.name, json_build_object(
           'definition', pg_get_statisticsobjdef(x.oid), 'comment', obj_description(x.oid, 'pg_statistic_ext'))
    from rel r join pg_statistic_ext x on x.stxrelid = r.oid join pg_namespace n on n.oid = x.stxnamespace
  union all
  select case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end, p.oid::regprocedure::text, null, json_build_object(
           'definition', case when p.prokind <> 'a' then pg_get_functiondef(p.oid) end,
           'returns', case when p.prokind = 'a' then pg_get_function_result(p.oid) end,
           'privileges', p.proacl::text, 'comment', obj_description(p.oid, 'pg_proc'))
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('p.oid', 'pg_proc')}
  union all
  select y.kind, y.name, null, json_build_object(
           'values', case when y.typtype = 'e' then (select string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder) from pg_enum e where e.enumtypid = y.oid) end,
           'base type', case when y.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end,
           'not null', case when t.typnotnull then 'yes' end,
           'default', t.typdefault,
           'subtype', case when y.typtype = 'r' then (select format_type(g.rngsubtype, null) from pg_range g where g.rngtypid = y.oid) end,
           'privileges', t.typacl::text, 'comment', obj_description(y.oid, 'pg_type'))
    from typ y join pg_type t on t.oid = y.oid
)
select coalesce(json_agg(json_build_array(kind, name, parent, json_strip_nulls(attributes))), '[]')::text as objects from objects`;

/** The fingerprint of the schema as `db` sees it now: one catalog query, with search_path set to pg_catalog around it and set back. */
export async function schemaFingerprint(db: Queryable): Promise<SchemaFingerprint> {
  const { rows: saved } = await db.query<{ path: string }>(`select current_setting('search_path') as path`);
  await db.query(`select set_config('search_path', 'pg_catalog', false)`);
  let text: string;
  try {
    ({ rows: [{ objects: text }] } = await db.query<{ objects: string }>(FINGERPRINT));
  } finally {
    await db.query(`select set_config('search_path', $1, false)`, [saved[0].path]);
  }
  return (JSON.parse(text) as Array<[string, string, string | null, Record<string, string>]>).map(([kind, name, parent, attributes]) => ({
    kind,
    name,
    ...(parent ? { parent } : {}),
    attributes,
  }));
}

/** Attribute values longer than this (function bodies, view definitions) are said to differ, not quoted. */
const QUOTED_VALUE = 120;

/**
 * What differs from `before` to `after`, one line per object, in the order of `before` (objects new in
 * `after` last): 'index orders_total_idx: missing', 'column orders.note: type character varying(50) →
 * text', 'table orders_backup: new'. A missing or new object's columns, indexes and the like are not
 * listed apart from it. Names in the public schema are shown without it.
 */
export function fingerprintDifferences(before: SchemaFingerprint, after: SchemaFingerprint): string[] {
  const key = (o: SchemaObject) => `${o.kind} ${o.name}`;
  const afterByKey = new Map(after.map((o) => [key(o), o]));
  const beforeByKey = new Map(before.map((o) => [key(o), o]));
  const missing = new Set(before.filter((o) => !afterByKey.has(key(o))).map(key));
  const added = new Set(after.filter((o) => !beforeByKey.has(key(o))).map(key));
  const out: string[] = [];
  for (const o of before) {
    const k = key(o);
    if (missing.has(k)) {
      if (!(o.parent && missing.has(o.parent))) out.push(`${o.kind} ${shown(o.name)}: missing`);
      continue;
    }
    const changes = changedAttributes(o.attributes, afterByKey.get(k)!.attributes);
    if (changes.length) out.push(`${o.kind} ${shown(o.name)}: ${changes.join('; ')}`);
  }
  for (const o of after) {
    if (added.has(key(o)) && !(o.parent && added.has(o.parent))) out.push(`${o.kind} ${shown(o.name)}: new`);
  }
  return out;
}

function changedAttributes(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return names.flatMap((name) => {
    const was = before[name];
    const now = after[name];
    if (was === now) return [];
    // A column missing or new is listed as such: the order is news only when the columns are the same.
    if (name === 'column order' && !sameMembers(was, now)) return [];
    if ((was ?? 'yes') === 'yes' && (now ?? 'yes') === 'yes') return [`${name} ${was === undefined ? 'added' : 'removed'}`]; // a flag
    if (was === undefined) return [`${name} ${quoted(now)} added`];
    if (now === undefined) return [`${name} ${quoted(was)} removed`];
    return [isShort(was) && isShort(now) ? `${name} ${oneLine(was)} → ${oneLine(now)}` : `${name} differs`];
  });
}

const sameMembers = (a = '', b = '') => a.split(', ').sort().join() === b.split(', ').sort().join();
const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();
const isShort = (value: string) => oneLine(value).length <= QUOTED_VALUE;
const quoted = (value: string) => (isShort(value) ? oneLine(value) : '(long)');
const shown = (name: string) => name.replace(/^public\./, '');
