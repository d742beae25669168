import { columnOrigin } from '../../catalog/origin.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { columnName, designTables, isBuiltin } from './design-util.js';

/** Defaults that mean "now": after the type change they are set again, typed timestamptz, instead of kept as a cast of the old value. */
const NOW_DEFAULT = /^(now\(\)|CURRENT_TIMESTAMP|LOCALTIMESTAMP|transaction_timestamp\(\)|statement_timestamp\(\)|clock_timestamp\(\))$/i;

export const preferTimestamptz: SchemaRule = {
  id: 'prefer-timestamptz',
  area: 'schema',
  severity: 'warning',
  summary:
    '`timestamp without time zone` stores a wall-clock reading with no zone: the same instant reads differently from sessions in other zones, and DST makes some values ambiguous; `timestamptz` stores the instant.',
  check({ catalog, origin }) {
    return designTables(catalog).flatMap((t) =>
      t.columns
        .filter((c) => isBuiltin(c, 'timestamp'))
        .map((c) => {
          const col = quoteIdent(c.name);
          const resetDefault = c.default && NOW_DEFAULT.test(c.default.trim()) ? `,\n  ALTER COLUMN ${col} SET DEFAULT ${/^LOCALTIMESTAMP$/i.test(c.default.trim()) ? 'now()' : c.default.trim()}` : '';
          return finding(this, {
            message: `Column ${columnName(t, c.name)} is timestamp without time zone: it does not record which zone its values are in`,
            object: columnName(t, c.name),
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: 'Use timestamptz (timestamp with time zone): it stores an absolute instant and converts to each session\'s TimeZone on output.',
            fix: {
              description:
                "Convert to timestamptz, reading the stored values as UTC. Change 'UTC' to the zone the values were actually written in (the application's or server's zone). " +
                'This rewrites the table and its indexes under an ACCESS EXCLUSIVE lock. When the values are UTC, on PostgreSQL 12+ `SET timezone = \'UTC\'` followed by a plain ' +
                '`ALTER COLUMN … TYPE timestamptz` (no USING) changes only the catalog, without the rewrite.' +
                (t.kind === 'partitioned table' ? ' It fails, changing nothing, if the column is in the partition key: that takes a new partitioned table.' : ''),
              sql: `ALTER TABLE ${quoteQualified(t.schema, t.name)}\n  ALTER COLUMN ${col} TYPE timestamptz USING ${col} AT TIME ZONE 'UTC'${resetDefault};`,
            },
          });
        }),
    );
  },
};
