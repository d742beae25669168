import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import type { HealthCheck } from '../types.js';

/** A constraint added NOT VALID and never validated: rows written before it were never checked. */
export const invalidConstraint: HealthCheck = {
  id: 'invalid-constraint',
  severity: 'warning',
  summary: 'A CHECK or FOREIGN KEY constraint added NOT VALID and never validated: the rows from before it were never checked.',
  async run({ db }) {
    const { rows } = await db.query<{ schema: string; table: string; name: string; type: string }>(
      `select n.nspname as schema, t.relname as table, c.conname as name, case c.contype when 'f' then 'foreign key' else 'check' end as type
         from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
        where not c.convalidated and n.nspname not in ('pg_catalog', 'information_schema')
        order by 1, 2, 3`,
    );
    return rows.map((r) => ({
      rule: 'invalid-constraint',
      severity: 'warning' as const,
      message: `The ${r.type} constraint ${r.name} on ${r.schema}.${r.table} was added NOT VALID and never validated`,
      object: `${r.schema}.${r.table}`,
      hint: 'VALIDATE CONSTRAINT checks the old rows under a SHARE UPDATE EXCLUSIVE lock (reads and writes go on).',
      fix: { description: `validate ${r.name}`, sql: `ALTER TABLE ${quoteQualified(r.schema, r.table)} VALIDATE CONSTRAINT ${quoteIdent(r.name)};` },
    }));
  },
};
