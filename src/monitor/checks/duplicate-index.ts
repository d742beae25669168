import { quoteQualified } from '../../sql/quote.js';
import { size, type HealthCheck } from '../types.js';

/**
 * Two indexes on the same table with the same keys, operator classes, expressions and predicate: one
 * is enough. The one kept is the one backing a constraint, else the older (lower oid).
 */
export const duplicateIndex: HealthCheck = {
  id: 'duplicate-index',
  severity: 'warning',
  summary: 'Two indexes with the same keys, operator classes, expressions and predicate on one table: drop one.',
  async run({ db }) {
    const { rows } = await db.query<{ schema: string; table: string; drop: string; keep: string; bytes: string }>(
      `with pairs as (with ix as (
         select i.indexrelid, i.indrelid, n.nspname as schema, t.relname as table, c.relname as name, c.relpages,
                i.indkey::text as keys, i.indclass::text as classes, coalesce(pg_get_expr(i.indexprs, i.indrelid), '') as exprs,
                coalesce(pg_get_expr(i.indpred, i.indrelid), '') as pred, c.relam,
                -- what to keep first: an index backing a constraint, then a unique one, then the older
                case when exists (select 1 from pg_constraint k where k.conindid = i.indexrelid) then 2 when i.indisunique then 1 else 0 end as rank
           from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
           join pg_namespace n on n.oid = t.relnamespace
          where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast' and i.indisvalid)
       select distinct on (a.indexrelid) a.schema, a.table, a.name as drop, b.name as keep, (a.relpages::bigint * current_setting('block_size')::int)::text as bytes
         from ix a join ix b on a.indrelid = b.indrelid and a.indexrelid <> b.indexrelid and a.keys = b.keys and a.classes = b.classes
          and a.exprs = b.exprs and a.pred = b.pred and a.relam = b.relam
        where a.rank < 2 and (a.rank < b.rank or (a.rank = b.rank and b.indexrelid < a.indexrelid))
        order by a.indexrelid, b.rank desc, b.indexrelid)
       select * from pairs order by 1, 2, 3`,
    );
    return rows.map((r) => ({
      rule: 'duplicate-index',
      severity: 'warning',
      message: `Index ${r.schema}.${r.drop} on ${r.schema}.${r.table} (${size(Number(r.bytes))}) duplicates ${r.schema}.${r.keep}: same keys, operator classes and predicate`,
      object: `${r.schema}.${r.drop}`,
      hint: `Keep ${r.keep}; every write maintains both.`,
      fix: { description: `drop ${r.drop}`, sql: `DROP INDEX CONCURRENTLY ${quoteQualified(r.schema, r.drop)};` },
    }));
  },
};
