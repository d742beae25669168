import { tableOrigin } from '../../catalog/origin.js';
import { quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { designTables, isCreatedAtName, isLinkTable, isUpdatedAtName, updatedAtTriggerSql } from './design-util.js';

export const missingTimestamps: SchemaRule = {
  id: 'missing-timestamps',
  area: 'schema',
  severity: 'info',
  summary:
    'A table without `created_at` / `updated_at` cannot answer "when did this row appear or last change?" — the first question of every incident, sync job and audit.',
  check({ catalog, origin }) {
    return designTables(catalog)
      // Link tables (every column a key) are inserted and deleted, never described or updated.
      .filter((t) => !isLinkTable(t))
      .flatMap((t) => {
        const created = t.columns.some((c) => isCreatedAtName(c.name));
        const updated = t.columns.some((c) => isUpdatedAtName(c.name));
        if (created && updated) return [];
        const missing = [created ? undefined : 'created_at', updated ? undefined : 'updated_at'].filter((n): n is string => Boolean(n));
        const table = quoteQualified(t.schema, t.name);
        const add = missing.map((n) => `ADD COLUMN ${n} timestamptz NOT NULL DEFAULT now()`).join(',\n  ');
        return [
          finding(this, {
            message: `Table ${t.schema}.${t.name} has no ${missing.join(' or ')} column`,
            object: `${t.schema}.${t.name}`,
            location: tableOrigin(origin, t.schema, t.name),
            hint: `Add ${missing.map((n) => `${n} timestamptz NOT NULL DEFAULT now()`).join(' and ')}${updated ? '' : ', with a BEFORE UPDATE trigger that sets updated_at'}.`,
            fix: {
              description:
                'Add the columns (PG 11+: a now() default is stored once in the catalog, no table rewrite; existing rows get the time of the ALTER, not their real creation time)' +
                (updated ? '' : ', and a trigger that keeps updated_at current'),
              sql: `ALTER TABLE ${table}\n  ${add};${updated ? '' : `\n${updatedAtTriggerSql(catalog, t, 'updated_at')}`}`,
            },
          }),
        ];
      });
  },
};
