import { columnOrigin } from '../../catalog/origin.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { columnName, designTables } from './design-util.js';

export const moneyType: SchemaRule = {
  id: 'money-type',
  area: 'schema',
  severity: 'warning',
  summary:
    '`money` formats and parses values by the lc_monetary setting (a restore or client with another locale reads different amounts), has a fixed number of decimals, and stores no currency; use numeric or integer minor units.',
  check({ catalog, origin }) {
    return designTables(catalog).flatMap((t) =>
      t.columns
        .filter((c) => c.typeSchema === 'pg_catalog' && c.typeName === 'money')
        .map((c) => {
          const col = quoteIdent(c.name);
          return finding(this, {
            message: `Column ${columnName(t, c.name)} is ${c.type}: its text form depends on lc_monetary and it cannot hold a currency`,
            object: columnName(t, c.name),
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: 'Use numeric(12,2) (choose the precision for your largest amount), or bigint cents; keep the currency in its own column.',
            fix: c.isArray
              ? undefined
              : {
                  description:
                    'Convert to numeric(12,2): money → numeric keeps the value exactly; the ALTER fails, changing nothing, if an amount does not fit 12 digits (widen the precision then). ' +
                    'Rewrites the table under an ACCESS EXCLUSIVE lock. For integer cents use TYPE bigint USING (' + col + '::numeric * 100)::bigint.',
                  sql: `ALTER TABLE ${quoteQualified(t.schema, t.name)} ALTER COLUMN ${col} TYPE numeric(12,2) USING ${col}::numeric;`,
                },
          });
        }),
    );
  },
};
