import type { HealthCheck } from '../types.js';

/**
 * A sequence that has used most of its range, or of the range of the column it feeds: an int4 column
 * whose default is a bigint sequence fails at 2^31 − 1 long before the sequence does.
 */
export const sequenceExhaustion: HealthCheck = {
  id: 'sequence-exhaustion',
  severity: 'error',
  summary: 'A sequence that has used most of its range, or of the range of the integer column it feeds (an int4 column fed by a bigint sequence fails at 2,147,483,647).',
  async run({ db, thresholds }) {
    const { rows } = await db.query<{ schema: string; seq: string; last: string; max: string; col: string | null; coltype: string | null; colmax: string | null }>(
      `select s.schemaname as schema, s.sequencename as seq, s.last_value::text as last, s.max_value::text as max,
              d.col, d.coltype, case d.coltype when 'integer' then '2147483647' when 'smallint' then '32767' end as colmax
         from pg_sequences s
         left join lateral (
           select format('%s.%s.%s', n.nspname, t.relname, a.attname) as col, format_type(a.atttypid, a.atttypmod) as coltype
             from pg_depend dep join pg_class t on t.oid = dep.refobjid join pg_namespace n on n.oid = t.relnamespace
             join pg_attribute a on a.attrelid = t.oid and a.attnum = dep.refobjsubid
            where dep.classid = 'pg_class'::regclass and dep.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
              and dep.refclassid = 'pg_class'::regclass and dep.deptype in ('a', 'i')
            limit 1) d on true
        where s.last_value is not null and s.increment_by > 0`,
    );
    const out = [];
    for (const r of rows) {
      const last = Number(r.last);
      const limit = Math.min(Number(r.max), r.colmax ? Number(r.colmax) : Infinity);
      const used = last / limit;
      if (used < thresholds.sequenceUsed) continue;
      const byColumn = r.colmax !== null && Number(r.colmax) < Number(r.max);
      out.push({
        rule: 'sequence-exhaustion',
        severity: 'error' as const,
        message: byColumn
          ? `Sequence ${r.schema}.${r.seq} is at ${last.toLocaleString('en-US')}, ${(used * 100).toFixed(1)}% of the ${r.coltype} column ${r.col} it feeds (max ${Number(r.colmax).toLocaleString('en-US')})`
          : `Sequence ${r.schema}.${r.seq} has used ${(used * 100).toFixed(1)}% of its range (${last.toLocaleString('en-US')} of ${Number(r.max).toLocaleString('en-US')})`,
        object: `${r.schema}.${r.seq}`,
        hint: byColumn
          ? `Change ${r.col} to bigint before it runs out (a table rewrite: add a bigint column, backfill in batches, swap), and the columns that reference it.`
          : 'Raise the sequence\'s MAXVALUE or move to a bigint sequence before inserts start failing.',
      });
    }
    return out;
  },
};
