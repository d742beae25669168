// A database's schema objects as `pgarch diff` compares them: each with a stable identity key, the DDL
// that creates and drops it (deparsed by PostgreSQL itself: pg_get_indexdef, pg_get_constraintdef,
// pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef, format_type, pg_get_expr), and what it
// depends on as pg_depend records it. One query per kind, read with search_path = pg_catalog so every
// user name comes out schema-qualified whatever search_path the schema's files left.
import type { Queryable } from '../engine/types.js';

export type DiffKind =
  | 'schema'
  | 'extension'
  | 'enum'
  | 'domain'
  | 'composite type'
  | 'range type'
  | 'sequence'
  | 'sequence owner'
  | 'table'
  | 'column'
  | 'default'
  | 'constraint'
  | 'index'
  | 'view'
  | 'materialized view'
  | 'function'
  | 'procedure'
  | 'trigger'
  | 'row security'
  | 'forced row security'
  | 'replica identity'
  | 'policy'
  | 'rule'
  | 'statistics'
  | 'grant'
  | 'comment';

/** One object of the schema, plain data. */
export interface DiffObject {
  kind: DiffKind;
  /** `kind name`: the identity two sides are matched by, e.g. `column public.orders.total`. */
  key: string;
  /** Schema-qualified, as PostgreSQL prints it: `public.orders`, `public.orders.total`, `public.f(integer)`. */
  name: string;
  /** Key of the object it belongs to (a column's table, a default's column, a comment's object). */
  parent?: string;
  /** What is compared: equal definitions mean the same object. */
  definition: string;
  create: string;
  drop: string;
  /** The parent's CREATE makes it (a table's columns, their defaults that need nothing else). */
  createdWithParent?: boolean;
  /** Dropping the parent drops it (a table's indexes, a column's default, an object's comment). */
  droppedWithParent?: boolean;
  /** Keys of the objects it depends on (from pg_depend; a child also depends on its parent). */
  dependsOn: string[];
  /** What in-place changes need (column attributes, enum labels, view columns…), by kind. */
  details?: Record<string, string | string[] | boolean | null>;
}

const USER_NAMESPACE = (ns: string) => `${ns}.nspname <> 'information_schema' and ${ns}.nspname not like 'pg\\_%' and ${ns}.nspname <> 'pgarch'`;
const NOT_EXTENSION_MEMBER = (oid: string, catalog: string) =>
  `not exists (select 1 from pg_depend e where e.classid = '${catalog}'::regclass and e.objid = ${oid} and e.deptype = 'e')`;

interface Row {
  addr: string;
  kind: DiffKind;
  name: string;
  parent?: string | null;
  comment_on?: string | null;
  comment?: string | null;
  [field: string]: unknown;
}

// Each query returns rows of one kind, with the catalog address (`catalog:oid:subid`) pg_depend knows
// it by. `q(name)` is quote_ident: PostgreSQL's own quoting.
const QUERIES: Record<string, string> = {
  schema: `
    select 'pg_namespace:' || n.oid || ':0' as addr, 'schema' as kind, quote_ident(n.nspname) as name,
           'SCHEMA ' || quote_ident(n.nspname) as comment_on, obj_description(n.oid, 'pg_namespace') as comment
      from pg_namespace n where ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('n.oid', 'pg_namespace')}`,
  extension: `
    select 'pg_extension:' || x.oid || ':0' as addr, 'extension' as kind, quote_ident(x.extname) as name,
           x.extversion as version, quote_ident(n.nspname) as schema,
           'EXTENSION ' || quote_ident(x.extname) as comment_on, obj_description(x.oid, 'pg_extension') as comment
      from pg_extension x join pg_namespace n on n.oid = x.extnamespace where x.extname <> 'plpgsql'`,
  type: `
    select 'pg_type:' || t.oid || ':0' as addr, case t.typtype when 'e' then 'enum' else 'domain' end as kind,
           format_type(t.oid, null) as name, quote_ident(n.nspname) || '.' || quote_ident(t.typname || '__pgarch_old') as renamed,
           quote_ident(t.typname || '__pgarch_old') as renamed_bare,
           (select array_agg(e.enumlabel::text order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) as labels,
           case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end as base,
           case when t.typtype = 'd' and t.typcollation <> 0 and t.typcollation <> (select b.typcollation from pg_type b where b.oid = t.typbasetype)
                then (select quote_ident(cn.nspname) || '.' || quote_ident(co.collname) from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace where co.oid = t.typcollation) end as collation,
           t.typdefault as default_expr, t.typnotnull as not_null,
           case t.typtype when 'e' then 'TYPE ' else 'DOMAIN ' end || format_type(t.oid, null) as comment_on, obj_description(t.oid, 'pg_type') as comment
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
     where t.typtype in ('e', 'd') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('t.oid', 'pg_type')}`,
  composite: `
    select 'pg_type:' || t.oid || ':0' as addr, 'pg_class:' || t.typrelid || ':0' as relation_addr, 'composite type' as kind, format_type(t.oid, null) as name,
           (select string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                     || case when a.attcollation <> y.typcollation then ' COLLATE ' || (select quote_ident(cn.nspname) || '.' || quote_ident(co.collname) from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace where co.oid = a.attcollation) else '' end,
                   ', ' order by a.attnum)
              from pg_attribute a join pg_type y on y.oid = a.atttypid where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) as attributes,
           'TYPE ' || format_type(t.oid, null) as comment_on, obj_description(t.oid, 'pg_type') as comment
      from pg_type t join pg_class c on c.oid = t.typrelid join pg_namespace n on n.oid = t.typnamespace
     where t.typtype = 'c' and c.relkind = 'c' and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('t.oid', 'pg_type')}`,
  range: `
    select 'pg_type:' || t.oid || ':0' as addr, 'range type' as kind, format_type(t.oid, null) as name,
           'SUBTYPE = ' || format_type(g.rngsubtype, null) || case when g.rngsubdiff <> 0 then ', SUBTYPE_DIFF = ' || g.rngsubdiff::regproc::text else '' end as options,
           'TYPE ' || format_type(t.oid, null) as comment_on, obj_description(t.oid, 'pg_type') as comment
      from pg_type t join pg_range g on g.rngtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
     where ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('t.oid', 'pg_type')}`,
  rule: `
    select 'pg_rewrite:' || w.oid || ':0' as addr, 'rule' as kind, c.oid::regclass::text || '.' || quote_ident(w.rulename) as name,
           case c.relkind when 'v' then 'view ' when 'm' then 'materialized view ' else 'table ' end || c.oid::regclass::text as parent,
           pg_get_ruledef(w.oid) as definition, 'DROP RULE ' || quote_ident(w.rulename) || ' ON ' || c.oid::regclass::text || ';' as drop_sql,
           'RULE ' || quote_ident(w.rulename) || ' ON ' || c.oid::regclass::text as comment_on, obj_description(w.oid, 'pg_rewrite') as comment
      from pg_rewrite w join pg_class c on c.oid = w.ev_class join pg_namespace n on n.oid = c.relnamespace
     where w.rulename <> '_RETURN' and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}`,
  statistics: `
    select 'pg_statistic_ext:' || x.oid || ':0' as addr, 'statistics' as kind, quote_ident(xn.nspname) || '.' || quote_ident(x.stxname) as name,
           'table ' || x.stxrelid::regclass::text as parent, pg_get_statisticsobjdef(x.oid) as definition,
           'STATISTICS ' || quote_ident(xn.nspname) || '.' || quote_ident(x.stxname) as comment_on, obj_description(x.oid, 'pg_statistic_ext') as comment
      from pg_statistic_ext x join pg_namespace xn on xn.oid = x.stxnamespace join pg_class c on c.oid = x.stxrelid join pg_namespace n on n.oid = c.relnamespace
     where ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}`,
  // Comments on the columns of views, materialized views and composite types (a table's are on its columns).
  relationColumnComment: `
    select 'comment' as kind, case c.relkind when 'v' then 'view ' when 'm' then 'materialized view ' else 'composite type ' end
             || case c.relkind when 'c' then format_type(c.reltype, null) else c.oid::regclass::text end as parent,
           'COLUMN ' || case c.relkind when 'c' then format_type(c.reltype, null) else c.oid::regclass::text end || '.' || quote_ident(a.attname) as comment_on,
           d.description as comment
      from pg_description d join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass
      join pg_attribute a on a.attrelid = c.oid and a.attnum = d.objsubid join pg_namespace n on n.oid = c.relnamespace
     where d.objsubid > 0 and c.relkind in ('v', 'm', 'c') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}`,
  // Privileges granted to others than the owner (what the owner has is implicit), one row per grantee and grant option.
  grant: `
    with acl(target, on_what, owner, acl, column_name) as (
      select case c.relkind when 'v' then 'view ' when 'm' then 'materialized view ' when 'S' then 'sequence ' else 'table ' end || c.oid::regclass::text,
             case c.relkind when 'S' then 'SEQUENCE ' else 'TABLE ' end || c.oid::regclass::text, c.relowner, c.relacl, null::text
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relacl is not null and c.relkind in ('r', 'p', 'v', 'm', 'S') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
      union all
      select 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname), 'TABLE ' || c.oid::regclass::text, c.relowner, a.attacl, quote_ident(a.attname)
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       where a.attacl is not null and a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
      union all
      select 'schema ' || quote_ident(n.nspname), 'SCHEMA ' || quote_ident(n.nspname), n.nspowner, n.nspacl, null
        from pg_namespace n where n.nspacl is not null and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('n.oid', 'pg_namespace')}
      union all
      select case p.prokind when 'p' then 'procedure ' else 'function ' end || p.oid::regprocedure::text,
             case p.prokind when 'p' then 'PROCEDURE ' else 'FUNCTION ' end || p.oid::regprocedure::text, p.proowner, p.proacl, null
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where p.proacl is not null and p.prokind in ('f', 'p', 'w') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('p.oid', 'pg_proc')}
    )
    select 'grant' as kind, acl.target || ' to ' || case when x.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(x.grantee)) end as name,
           acl.target as parent, acl.on_what, acl.column_name, case when x.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(x.grantee)) end as grantee,
           string_agg(x.privilege_type, ', ' order by x.privilege_type) filter (where not x.is_grantable) as privileges,
           string_agg(x.privilege_type, ', ' order by x.privilege_type) filter (where x.is_grantable) as grantable
      from acl, aclexplode(acl.acl) x
     where x.grantee <> acl.owner
       -- PUBLIC may EXECUTE a function by default: that grant is implicit, its revoke is not (below)
       and (not (acl.on_what like 'FUNCTION %' or acl.on_what like 'PROCEDURE %') or x.grantee <> 0 or x.privilege_type <> 'EXECUTE' or x.is_grantable)
     group by acl.target, acl.on_what, acl.column_name, x.grantee
    union all
    select 'grant', acl.target || ' revoked from PUBLIC', acl.target, acl.on_what, null, 'PUBLIC', null, null
      from acl
     where (acl.on_what like 'FUNCTION %' or acl.on_what like 'PROCEDURE %')
       and not exists (select 1 from aclexplode(acl.acl) x where x.grantee = 0 and x.privilege_type = 'EXECUTE')`,
  sequence: `
    select 'pg_class:' || c.oid || ':0' as addr, 'sequence' as kind, c.oid::regclass::text as name,
           format_type(s.seqtypid, null) as data_type, s.seqincrement::text as increment, s.seqmin::text as min, s.seqmax::text as max,
           s.seqstart::text as start, s.seqcache::text as cache, s.seqcycle as cycle,
           (select d.refobjid::regclass::text || '.' || quote_ident(a.attname) from pg_depend d
              join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
             where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass and d.deptype = 'a' limit 1) as owned_by,
           (select 'pg_class:' || d.refobjid || ':' || d.refobjsubid from pg_depend d
             where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass and d.deptype = 'a' limit 1) as owned_by_addr,
           'SEQUENCE ' || c.oid::regclass::text as comment_on, obj_description(c.oid, 'pg_class') as comment
      from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_sequence s on s.seqrelid = c.oid
     where c.relkind = 'S' and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
       -- an identity column's sequence is the column's own
       and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'i')`,
  relation: `
    select 'pg_class:' || c.oid || ':0' as addr,
           case c.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end as kind,
           c.oid::regclass::text as name, c.relpersistence = 'u' as unlogged, c.relreplident as replica_identity,
           (select quote_ident(ic.relname) from pg_index i join pg_class ic on ic.oid = i.indexrelid where i.indrelid = c.oid and i.indisreplident) as replica_index, c.relrowsecurity as rls, c.relforcerowsecurity as forced_rls,
           case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
           case when c.relispartition then (select i.inhparent::regclass::text from pg_inherits i where i.inhrelid = c.oid limit 1) end as partition_of,
           case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end as partition_bound,
           case when not c.relispartition then (select string_agg(i.inhparent::regclass::text, ', ' order by i.inhseqno) from pg_inherits i where i.inhrelid = c.oid) end as inherits,
           case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end as view_def,
           array_to_string(c.reloptions, ', ') as options,
           case when c.relkind in ('v', 'm') then (select array_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) order by a.attnum)
              from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) end as view_columns,
           case c.relkind when 'v' then 'VIEW ' when 'm' then 'MATERIALIZED VIEW ' else 'TABLE ' end || c.oid::regclass::text as comment_on,
           obj_description(c.oid, 'pg_class') as comment
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p', 'v', 'm') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}`,
  column: `
    select 'pg_class:' || c.oid || ':' || a.attnum as addr, 'column' as kind, c.oid::regclass::text || '.' || quote_ident(a.attname) as name,
           'table ' || c.oid::regclass::text as parent, c.oid::regclass::text as table_name, quote_ident(a.attname) as column_name, a.attnum as position,
           format_type(a.atttypid, a.atttypmod) as type, t.typcategory as type_category, a.attnotnull as not_null,
           case a.attidentity when 'a' then 'ALWAYS' when 'd' then 'BY DEFAULT' end as identity,
           -- an identity's sequence options that are not the defaults for its type
           (select concat_ws(' ',
                     case when s.seqincrement <> 1 then 'INCREMENT BY ' || s.seqincrement end,
                     case when s.seqmin <> case when s.seqincrement > 0 then 1 else (case s.seqtypid when 'int2'::regtype then -32768 when 'int4'::regtype then -2147483648 else -9223372036854775808 end) end then 'MINVALUE ' || s.seqmin end,
                     case when s.seqmax <> case when s.seqincrement < 0 then -1 else (case s.seqtypid when 'int2'::regtype then 32767 when 'int4'::regtype then 2147483647 else 9223372036854775807 end) end then 'MAXVALUE ' || s.seqmax end,
                     case when s.seqstart <> case when s.seqincrement > 0 then s.seqmin else s.seqmax end then 'START WITH ' || s.seqstart end,
                     case when s.seqcache <> 1 then 'CACHE ' || s.seqcache end,
                     case when s.seqcycle then 'CYCLE' end)
              from pg_depend d join pg_sequence s on s.seqrelid = d.objid
             where a.attidentity <> '' and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.refobjid = c.oid and d.refobjsubid = a.attnum and d.deptype = 'i') as identity_options,
           case when a.attgenerated <> '' then pg_get_expr(ad.adbin, ad.adrelid) end as generated,
           case a.attgenerated when 's' then 'STORED' when 'v' then 'VIRTUAL' end as generated_kind,
           case when a.attgenerated = '' then pg_get_expr(ad.adbin, ad.adrelid) end as default_expr,
           case when ad.oid is not null then 'pg_attrdef:' || ad.oid || ':0' end as default_addr,
           case when a.attcollation <> t.typcollation then (select quote_ident(cn.nspname) || '.' || quote_ident(co.collname) from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace where co.oid = a.attcollation) end as collation,
           'COLUMN ' || c.oid::regclass::text || '.' || quote_ident(a.attname) as comment_on, col_description(c.oid, a.attnum) as comment
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      join pg_type t on t.oid = a.atttypid
      left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
     where c.relkind in ('r', 'p') and a.attislocal and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
     order by c.oid, a.attnum`,
  constraint: `
    select 'pg_constraint:' || k.oid || ':0' as addr, 'constraint' as kind,
           coalesce(k.conrelid::regclass::text, format_type(k.contypid, null)) || '.' || quote_ident(k.conname) as name,
           case when k.conrelid <> 0 then 'table ' || k.conrelid::regclass::text else 'domain ' || format_type(k.contypid, null) end as parent,
           case when k.conrelid <> 0 then 'TABLE ' || k.conrelid::regclass::text else 'DOMAIN ' || format_type(k.contypid, null) end as target,
           quote_ident(k.conname) as constraint_name, pg_get_constraintdef(k.oid) as definition, k.contype::text as contype,
           case when k.contype in ('u', 'p') and not k.condeferrable then pg_get_indexdef(k.conindid) end as index_definition,
           'CONSTRAINT ' || quote_ident(k.conname) || ' ON ' || case when k.conrelid <> 0 then k.conrelid::regclass::text else 'DOMAIN ' || format_type(k.contypid, null) end as comment_on,
           obj_description(k.oid, 'pg_constraint') as comment
      from pg_constraint k
      left join pg_class c on c.oid = k.conrelid left join pg_type t on t.oid = k.contypid
      join pg_namespace n on n.oid = coalesce(c.relnamespace, t.typnamespace)
     where k.contype <> 'n' -- PG 18: NOT NULL is a constraint too; the column's not_null says it
       and k.conislocal and k.conparentid = 0 and (c.relkind in ('r', 'p') or t.typtype = 'd')
       and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('k.conrelid', 'pg_class')} and ${NOT_EXTENSION_MEMBER('k.contypid', 'pg_type')}`,
  index: `
    select 'pg_class:' || i.indexrelid || ':0' as addr, 'index' as kind, i.indexrelid::regclass::text as name,
           case r.relkind when 'm' then 'materialized view ' else 'table ' end || i.indrelid::regclass::text as parent,
           -- a partitioned table's index reads ON ONLY; created plainly it is made on every partition too
           case when r.relkind = 'p' then regexp_replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') else pg_get_indexdef(i.indexrelid) end as definition,
           'INDEX ' || i.indexrelid::regclass::text as comment_on, obj_description(i.indexrelid, 'pg_class') as comment
      from pg_index i join pg_class r on r.oid = i.indrelid join pg_namespace n on n.oid = r.relnamespace
     where r.relkind in ('r', 'p', 'm') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('r.oid', 'pg_class')}
       -- a primary key's, unique or exclusion constraint's index is the constraint's
       and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = i.indrelid and k.contype in ('p', 'u', 'x'))
       -- a partition's copy of its parent's index follows the parent
       and not exists (select 1 from pg_inherits h where h.inhrelid = i.indexrelid)`,
  function: `
    select 'pg_proc:' || p.oid || ':0' as addr, case p.prokind when 'p' then 'procedure' else 'function' end as kind,
           p.oid::regprocedure::text as name, pg_get_functiondef(p.oid) as definition,
           pg_get_function_result(p.oid) as result, array_to_string(p.proargnames, ',') as arg_names,
           pg_get_function_identity_arguments(p.oid) as identity_args,
           case p.prokind when 'p' then 'PROCEDURE ' else 'FUNCTION ' end || p.oid::regprocedure::text as comment_on,
           obj_description(p.oid, 'pg_proc') as comment
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where p.prokind in ('f', 'p', 'w') and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('p.oid', 'pg_proc')}
       -- a range type's constructors are the type's own
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'i')`,
  trigger: `
    select 'pg_trigger:' || g.oid || ':0' as addr, 'trigger' as kind, g.tgrelid::regclass::text || '.' || quote_ident(g.tgname) as name,
           case c.relkind when 'v' then 'view ' else 'table ' end || g.tgrelid::regclass::text as parent,
           quote_ident(g.tgname) as trigger_name, g.tgrelid::regclass::text as table_name,
           pg_get_triggerdef(g.oid) as definition, g.tgenabled as enabled,
           'TRIGGER ' || quote_ident(g.tgname) || ' ON ' || g.tgrelid::regclass::text as comment_on, obj_description(g.oid, 'pg_trigger') as comment
      from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
     where not g.tgisinternal and g.tgparentid = 0 and ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}`,
  policy: `
    select 'pg_policy:' || p.oid || ':0' as addr, 'policy' as kind, p.polrelid::regclass::text || '.' || quote_ident(p.polname) as name,
           'table ' || p.polrelid::regclass::text as parent, quote_ident(p.polname) as policy_name, p.polrelid::regclass::text as table_name,
           p.polpermissive as permissive,
           case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE' else 'ALL' end as command,
           (select string_agg(case when o = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(o)) end, ', ' order by o) from unnest(p.polroles) o) as roles,
           pg_get_expr(p.polqual, p.polrelid) as using_expr, pg_get_expr(p.polwithcheck, p.polrelid) as check_expr,
           'POLICY ' || quote_ident(p.polname) || ' ON ' || p.polrelid::regclass::text as comment_on, obj_description(p.oid, 'pg_policy') as comment
      from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
     where ${USER_NAMESPACE('n')} and ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}`,
};

// Every dependency between user objects (oids from FirstNormalObjectId, 16384, on). Internal ('i') and
// extension ('e') edges say an object is part of another: a table's row type, a view's rewrite rule, a
// constraint's index, an identity column's sequence, an extension's members.
const DEPENDENCIES = `
  select d.classid::regclass::text || ':' || d.objid || ':' || d.objsubid as addr,
         d.refclassid::regclass::text || ':' || d.refobjid || ':' || d.refobjsubid as ref, d.deptype as type
    from pg_depend d
   where d.deptype in ('n', 'a', 'i', 'e') and d.objid >= 16384 and d.refobjid >= 16384`;

const q = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The schema objects of the database `db` is connected to (search_path set to pg_catalog around the reads, then set back). */
export async function readDiffObjects(db: Queryable): Promise<DiffObject[]> {
  const { rows: saved } = await db.query<{ path: string }>(`select current_setting('search_path') as path`);
  await db.query(`select set_config('search_path', 'pg_catalog', false)`);
  let rows: Record<string, Row[]>;
  let edges: Array<{ addr: string; ref: string; type: string }>;
  try {
    rows = {};
    for (const [name, sql] of Object.entries(QUERIES)) rows[name] = (await db.query<Row>(sql)).rows;
    edges = (await db.query<{ addr: string; ref: string; type: string }>(DEPENDENCIES)).rows;
  } finally {
    await db.query(`select set_config('search_path', $1, false)`, [saved[0].path]);
  }
  return build(rows, edges);
}

function build(rows: Record<string, Row[]>, edges: Array<{ addr: string; ref: string; type: string }>): DiffObject[] {
  const objects: DiffObject[] = [];
  const byAddr = new Map<string, string>();
  const add = (o: Omit<DiffObject, 'key' | 'dependsOn'> & { dependsOn?: string[] }, addr?: string) => {
    const object: DiffObject = { ...o, key: `${o.kind} ${o.name}`, dependsOn: o.dependsOn ?? (o.parent ? [o.parent] : []) };
    objects.push(object);
    if (addr) byAddr.set(addr, object.key);
    return object;
  };
  const comment = (r: Row, parentKey: string) => {
    if (r.comment == null || !r.comment_on) return;
    add({
      kind: 'comment',
      name: `${parentKey}`,
      parent: parentKey,
      definition: r.comment,
      create: `COMMENT ON ${r.comment_on} IS ${q(r.comment)};`,
      drop: `COMMENT ON ${r.comment_on} IS NULL;`,
      droppedWithParent: true,
    });
  };

  for (const r of rows.schema) {
    const o = add({ kind: 'schema', name: r.name, definition: '', create: `CREATE SCHEMA ${r.name};`, drop: `DROP SCHEMA ${r.name};` }, r.addr);
    comment(r, o.key);
  }
  for (const r of rows.extension) {
    const o = add(
      { kind: 'extension', name: r.name, definition: `${r.schema} ${r.version}`, create: `CREATE EXTENSION IF NOT EXISTS ${r.name} WITH SCHEMA ${r.schema};`, drop: `DROP EXTENSION ${r.name};`, details: { version: r.version as string, schema: r.schema as string } },
      r.addr,
    );
    comment(r, o.key);
  }
  for (const r of rows.type) {
    if (r.kind === 'enum') {
      const labels = (r.labels as string[] | null) ?? [];
      const o = add({ kind: 'enum', name: r.name, definition: labels.map(q).join(', '), create: `CREATE TYPE ${r.name} AS ENUM (${labels.map(q).join(', ')});`, drop: `DROP TYPE ${r.name};`, details: { labels, renamed: r.renamed as string, renamedBare: r.renamed_bare as string } }, r.addr);
      comment(r, o.key);
    } else {
      const parts = [`CREATE DOMAIN ${r.name} AS ${r.base}`];
      if (r.collation) parts.push(`COLLATE ${r.collation}`);
      if (r.default_expr != null) parts.push(`DEFAULT ${r.default_expr}`);
      if (r.not_null) parts.push('NOT NULL');
      const o = add(
        {
          kind: 'domain',
          name: r.name,
          definition: `${r.base} ${r.collation ?? ''}`,
          create: `${parts.join(' ')};`,
          drop: `DROP DOMAIN ${r.name};`,
          details: { default: (r.default_expr as string | null) ?? null, notNull: Boolean(r.not_null) },
        },
        r.addr,
      );
      // Default and NOT NULL are altered in place; compare them too.
      o.definition += ` default=${r.default_expr ?? ''} notnull=${Boolean(r.not_null)}`;
      comment(r, o.key);
    }
  }
  for (const r of rows.composite) {
    const o = add({ kind: 'composite type', name: r.name, definition: r.attributes as string, create: `CREATE TYPE ${r.name} AS (${r.attributes ?? ''});`, drop: `DROP TYPE ${r.name};` }, r.addr);
    byAddr.set(r.relation_addr as string, o.key); // its attributes' dependencies are the relation's
    comment(r, o.key);
  }
  for (const r of rows.range) {
    const o = add({ kind: 'range type', name: r.name, definition: r.options as string, create: `CREATE TYPE ${r.name} AS RANGE (${r.options});`, drop: `DROP TYPE ${r.name};` }, r.addr);
    comment(r, o.key);
  }
  const owners: Array<{ sequence: string; column: string; ownedBy: string }> = [];
  for (const r of rows.sequence) {
    const options = `AS ${r.data_type} INCREMENT BY ${r.increment} MINVALUE ${r.min} MAXVALUE ${r.max} START WITH ${r.start} CACHE ${r.cache}${r.cycle ? ' CYCLE' : ' NO CYCLE'}`;
    const o = add({ kind: 'sequence', name: r.name, definition: options, create: `CREATE SEQUENCE ${r.name} ${options};`, drop: `DROP SEQUENCE ${r.name};`, details: { options } }, r.addr);
    if (r.owned_by) owners.push({ sequence: o.key, column: r.owned_by_addr as string, ownedBy: r.owned_by as string });
    comment(r, o.key);
  }
  const tables = new Map<string, { row: Row; columns: string[] }>();
  for (const r of rows.relation) {
    if (r.kind === 'table') {
      const definition = [r.unlogged ? 'unlogged' : '', r.partition_key ?? '', r.partition_of ?? '', r.partition_bound ?? '', r.options ?? '', r.inherits ?? ''].join('|');
      const o = add({ kind: 'table', name: r.name, definition, create: '', drop: `DROP TABLE ${r.name};`, details: { unlogged: Boolean(r.unlogged), options: (r.options as string | null) ?? null } }, r.addr);
      tables.set(o.key, { row: r, columns: [] });
      if (r.partition_of) o.dependsOn.push(`table ${r.partition_of}`);
      if (r.rls) add({ kind: 'row security', name: r.name, parent: o.key, definition: '', create: `ALTER TABLE ${r.name} ENABLE ROW LEVEL SECURITY;`, drop: `ALTER TABLE ${r.name} DISABLE ROW LEVEL SECURITY;`, droppedWithParent: true });
      if (r.forced_rls)
        add({ kind: 'forced row security', name: r.name, parent: o.key, definition: '', create: `ALTER TABLE ${r.name} FORCE ROW LEVEL SECURITY;`, drop: `ALTER TABLE ${r.name} NO FORCE ROW LEVEL SECURITY;`, droppedWithParent: true });
      if (r.replica_identity !== 'd' && (r.replica_identity !== 'i' || r.replica_index)) {
        const identity = { f: 'FULL', n: 'NOTHING', i: `USING INDEX ${r.replica_index}` }[r.replica_identity as 'f' | 'n' | 'i'];
        add({
          kind: 'replica identity',
          name: r.name,
          parent: o.key,
          definition: identity,
          create: `ALTER TABLE ${r.name} REPLICA IDENTITY ${identity};`,
          drop: `ALTER TABLE ${r.name} REPLICA IDENTITY DEFAULT;`,
          droppedWithParent: true,
          details: { index: r.replica_index as string | null },
        });
      }
      comment(r, o.key);
    } else {
      const materialized = r.kind === 'materialized view';
      const options = r.options ? ` WITH (${r.options})` : '';
      const body = `${r.name}${options} AS\n${String(r.view_def).replace(/;\s*$/, '')}`;
      const o = add(
        {
          kind: r.kind,
          name: r.name,
          definition: `${options} ${r.view_def}`,
          create: `CREATE ${materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${body};`,
          drop: `DROP ${materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${r.name};`,
          details: { columns: (r.view_columns as string[] | null) ?? [], options: r.options as string | null, replace: `CREATE OR REPLACE VIEW ${body};` },
        },
        r.addr,
      );
      comment(r, o.key);
    }
  }
  const inlineDefaults = new Map<string, string>();
  const defaultAddrs = new Map<string, string>(); // pg_attrdef address → default key
  const columnsWithDefault: Array<{ key: string; row: Row }> = [];
  for (const r of rows.column) {
    const parent = r.parent as string;
    const attributes = [`${r.type}`];
    if (r.collation) attributes.push(`COLLATE ${r.collation}`);
    if (r.generated) attributes.push(`GENERATED ALWAYS AS (${r.generated})${r.generated_kind === 'VIRTUAL' ? ' VIRTUAL' : ' STORED'}`);
    if (r.identity) attributes.push(`GENERATED ${r.identity} AS IDENTITY${r.identity_options ? ` (${r.identity_options})` : ''}`);
    const o = add(
      {
        kind: 'column',
        name: r.name,
        parent,
        definition: `${attributes.join(' ')}${r.not_null ? ' NOT NULL' : ''}`,
        create: '',
        drop: `ALTER TABLE ${r.table_name} DROP COLUMN ${r.column_name};`,
        createdWithParent: true,
        droppedWithParent: true,
        details: {
          table: r.table_name as string,
          column: r.column_name as string,
          type: r.type as string,
          typeCategory: r.type_category as string,
          collation: (r.collation as string | null) ?? null,
          notNull: Boolean(r.not_null),
          identity: (r.identity as string | null) ?? null,
          identityOptions: (r.identity_options as string | null) || null,
          generated: (r.generated as string | null) ?? null,
          attributes: attributes.join(' '),
        },
      },
      r.addr,
    );
    tables.get(parent)?.columns.push(o.key);
    if (r.generated && r.default_addr) byAddr.set(r.default_addr as string, o.key);
    if (r.default_expr != null) columnsWithDefault.push({ key: o.key, row: r });
    comment(r, o.key);
  }
  // A default is its own object (it may need a sequence or function made after the table); inlined in
  // the column's CREATE when it depends on nothing but its own table.
  for (const { key, row: r } of columnsWithDefault) {
    const d = add({
      kind: 'default',
      name: r.name,
      parent: key,
      definition: r.default_expr as string,
      create: `ALTER TABLE ${r.table_name} ALTER COLUMN ${r.column_name} SET DEFAULT ${r.default_expr};`,
      drop: `ALTER TABLE ${r.table_name} ALTER COLUMN ${r.column_name} DROP DEFAULT;`,
      droppedWithParent: true,
    });
    defaultAddrs.set(r.default_addr as string, d.key);
    byAddr.set(r.default_addr as string, d.key);
  }
  for (const r of rows.constraint) {
    const onDomain = String(r.parent).startsWith('domain ');
    const target = onDomain ? `ALTER DOMAIN ${String(r.target).slice('DOMAIN '.length)}` : `ALTER TABLE ${String(r.target).slice('TABLE '.length)}`;
    const o = add(
      {
        kind: 'constraint',
        name: r.name,
        parent: r.parent as string,
        definition: r.definition as string,
        create: `${target} ADD CONSTRAINT ${r.constraint_name} ${r.definition};`,
        drop: `${target} DROP CONSTRAINT ${r.constraint_name};`,
        droppedWithParent: true,
        // What an online plan needs: the kind (f, c, u, p, x) and a unique constraint's index, to build it first.
        details: { type: r.contype as string, name: r.constraint_name as string, target, indexDefinition: (r.index_definition as string | null) ?? null },
      },
      r.addr,
    );
    comment(r, o.key);
  }
  for (const r of rows.index) {
    const o = add({ kind: 'index', name: r.name, parent: r.parent as string, definition: r.definition as string, create: `${r.definition};`, drop: `DROP INDEX ${r.name};`, droppedWithParent: true }, r.addr);
    comment(r, o.key);
  }
  for (const r of rows.function) {
    const o = add(
      {
        kind: r.kind,
        name: r.name,
        definition: r.definition as string,
        create: `${String(r.definition).trimEnd()};`,
        drop: `DROP ${r.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION'} ${r.name};`,
        details: { result: (r.result as string | null) ?? null, argNames: (r.arg_names as string | null) ?? null },
      },
      r.addr,
    );
    comment(r, o.key);
  }
  for (const r of rows.trigger) {
    const state = { D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[r.enabled as string];
    const disabled = state ? `\nALTER TABLE ${r.table_name} ${state} TRIGGER ${r.trigger_name};` : '';
    const o = add(
      { kind: 'trigger', name: r.name, parent: r.parent as string, definition: `${r.definition} ${r.enabled}`, create: `${r.definition};${disabled}`, drop: `DROP TRIGGER ${r.trigger_name} ON ${r.table_name};`, droppedWithParent: true },
      r.addr,
    );
    comment(r, o.key);
  }
  for (const r of rows.policy) {
    const parts = [`CREATE POLICY ${r.policy_name} ON ${r.table_name} AS ${r.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${r.command} TO ${r.roles}`];
    if (r.using_expr != null) parts.push(`USING (${r.using_expr})`);
    if (r.check_expr != null) parts.push(`WITH CHECK (${r.check_expr})`);
    const create = `${parts.join(' ')};`;
    const o = add({ kind: 'policy', name: r.name, parent: r.parent as string, definition: create, create, drop: `DROP POLICY ${r.policy_name} ON ${r.table_name};`, droppedWithParent: true }, r.addr);
    comment(r, o.key);
  }

  for (const r of rows.rule) {
    const o = add({ kind: 'rule', name: r.name, parent: r.parent as string, definition: r.definition as string, create: String(r.definition), drop: r.drop_sql as string, droppedWithParent: true }, r.addr);
    comment(r, o.key);
  }
  for (const r of rows.statistics) {
    const o = add({ kind: 'statistics', name: r.name, parent: r.parent as string, definition: r.definition as string, create: `${r.definition};`, drop: `DROP STATISTICS ${r.name};`, droppedWithParent: true }, r.addr);
    comment(r, o.key);
  }
  for (const r of rows.relationColumnComment) {
    add({ kind: 'comment', name: String(r.comment_on).slice('COLUMN '.length), parent: r.parent as string, definition: r.comment as string, create: `COMMENT ON ${r.comment_on} IS ${q(r.comment as string)};`, drop: `COMMENT ON ${r.comment_on} IS NULL;`, droppedWithParent: true });
  }
  for (const r of rows.grant) {
    if (!r.privileges && !r.grantable) {
      const revoke = `REVOKE EXECUTE ON ${r.on_what} FROM PUBLIC;`;
      add({ kind: 'grant', name: r.name, parent: r.parent as string, definition: revoke, create: revoke, drop: `GRANT EXECUTE ON ${r.on_what} TO PUBLIC;`, droppedWithParent: true });
      continue;
    }
    // A column's privileges name it: GRANT SELECT (email), UPDATE (email) ON TABLE …
    const privileges = (list: unknown) => (r.column_name ? String(list).split(', ').map((p) => `${p} (${r.column_name})`).join(', ') : String(list));
    const grants = [r.privileges ? `GRANT ${privileges(r.privileges)} ON ${r.on_what} TO ${r.grantee};` : '', r.grantable ? `GRANT ${privileges(r.grantable)} ON ${r.on_what} TO ${r.grantee} WITH GRANT OPTION;` : ''].filter(Boolean);
    const revoke = `REVOKE ALL${r.column_name ? ` (${r.column_name})` : ''} ON ${r.on_what} FROM ${r.grantee};`;
    add({ kind: 'grant', name: r.name, parent: r.parent as string, definition: grants.join(' '), create: grants.join('\n'), drop: revoke, droppedWithParent: true, details: { grantee: r.grantee as string } });
  }

  // Dependencies: resolve each address through what it is part of ('i', 'e'), then to a key.
  const partOf = new Map<string, string>();
  for (const e of edges) if (e.type === 'i' || e.type === 'e') partOf.set(e.addr, e.ref);
  const keyOf = (addr: string): string | undefined => {
    for (let hops = 0; hops < 8; hops++) {
      const key = byAddr.get(addr) ?? byAddr.get(addr.replace(/:-?\d+$/, ':0'));
      if (key) return key;
      const next = partOf.get(addr) ?? partOf.get(addr.replace(/:-?\d+$/, ':0'));
      if (!next) return undefined;
      addr = next;
    }
    return undefined;
  };
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const sequenceKeys = new Set(objects.filter((o) => o.kind === 'sequence').map((o) => o.key));
  for (const e of edges) {
    if (e.type === 'i' || e.type === 'e') continue;
    const from = keyOf(e.addr);
    const to = keyOf(e.ref);
    if (!from || !to || from === to) continue;
    // A sequence OWNED BY a column: the ownership is its own object (below), made after both.
    if (sequenceKeys.has(from) && e.type === 'a' && byKey.get(to)?.kind === 'column') continue;
    const object = byKey.get(from)!;
    if (!object.dependsOn.includes(to)) object.dependsOn.push(to);
  }
  for (const o of owners) {
    const column = keyOf(o.column);
    if (!column) continue;
    const sequence = byKey.get(o.sequence)!;
    add({
      kind: 'sequence owner',
      name: sequence.name,
      parent: o.sequence,
      definition: o.ownedBy,
      create: `ALTER SEQUENCE ${sequence.name} OWNED BY ${o.ownedBy};`,
      drop: `ALTER SEQUENCE ${sequence.name} OWNED BY NONE;`,
      droppedWithParent: true,
      dependsOn: [o.sequence, column],
    });
  }
  // REPLICA IDENTITY USING INDEX needs its index (or the constraint that owns it; both named alike).
  for (const o of objects) {
    if (o.kind !== 'replica identity' || !o.details?.index) continue;
    const target = objects.find((x) => (x.kind === 'index' || x.kind === 'constraint') && x.parent === o.parent && x.name.endsWith(`.${o.details!.index}`));
    if (target) o.dependsOn.push(target.key);
  }
  // Which defaults can be written inside their column's CREATE: those that need nothing but their table.
  for (const key of defaultAddrs.values()) {
    const d = byKey.get(key)!;
    const column = byKey.get(d.parent!)!;
    const table = column.parent!;
    const inline = d.dependsOn.every((k) => k === column.key || k === table || byKey.get(k)?.parent === table);
    if (inline) {
      d.createdWithParent = true;
      inlineDefaults.set(column.key, d.definition);
    }
  }
  // A child table (INHERITS, PARTITION OF) takes its parents' columns as they are when it is made: made
  // after them, so the columns come in TO's order.
  for (const [key, { row: r }] of tables) {
    const parents = [r.partition_of, ...String(r.inherits ?? '').split(', ')].filter(Boolean).map((name) => `table ${name}`);
    const table = byKey.get(key)!;
    for (const parent of parents) for (const column of tables.get(parent)?.columns ?? []) if (!table.dependsOn.includes(column)) table.dependsOn.push(column);
  }
  // Columns' CREATE text (ADD COLUMN) and each table's CREATE TABLE, now that inline defaults are known.
  for (const [key, { row: r, columns }] of tables) {
    const table = byKey.get(key)!;
    const lines = columns.map((c) => `    ${columnDefinition(byKey.get(c)!, inlineDefaults.get(c))}`);
    for (const c of columns) {
      const column = byKey.get(c)!;
      column.create = `ALTER TABLE ${r.name} ADD COLUMN ${columnDefinition(column, inlineDefaults.get(c))};`;
    }
    const unlogged = r.unlogged ? 'UNLOGGED ' : '';
    const options = r.options ? ` WITH (${r.options})` : '';
    const partitionBy = r.partition_key ? ` PARTITION BY ${r.partition_key}` : '';
    table.create = r.partition_of
      ? `CREATE ${unlogged}TABLE ${r.name} PARTITION OF ${r.partition_of} ${r.partition_bound}${partitionBy}${options};`
      : `CREATE ${unlogged}TABLE ${r.name} (${lines.length ? `\n${lines.join(',\n')}\n` : ''})${r.inherits ? ` INHERITS (${r.inherits})` : ''}${partitionBy}${options};`;
    // A partition's own columns (attislocal) are none; whatever it has comes with its parent.
  }
  return objects;
}

function columnDefinition(column: DiffObject, inlineDefault: string | undefined): string {
  const d = column.details!;
  return `${d.column} ${d.attributes}${inlineDefault !== undefined ? ` DEFAULT ${inlineDefault}` : ''}${d.notNull ? ' NOT NULL' : ''}`;
}
