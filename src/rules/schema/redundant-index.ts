import { loadParser } from '../../sql/parse.js';
import { finding, type SchemaRule } from '../types.js';
import { dropIndexFix, indexLocation, indexRedundancies, keyList } from './normal-util.js';

export const redundantIndex: SchemaRule = {
  id: 'redundant-index',
  area: 'schema',
  severity: 'warning',
  summary:
    "A non-unique index whose keys lead the primary key's or a unique constraint's index (an index on (id) when id is the primary key, on (a) when UNIQUE (a, b) exists) duplicates that index's work on every write.",
  async check({ catalog, origin }) {
    await loadParser();
    return catalog.tables.flatMap((t) =>
      indexRedundancies(t, catalog)
        // Covered by another plain or unique index: duplicate-index reports it.
        .filter((r) => r.rule === 'redundant-index')
        .map(({ index, coveredBy }) => {
          const constraint = t.constraints.find((c) => c.name === coveredBy.constraint);
          const what = constraint?.type === 'primary key' ? 'the primary key' : `the unique constraint ${coveredBy.constraint}`;
          return finding(this, {
            message: `Index ${index.schema}.${index.name} on ${t.schema}.${t.name} ${keyList(index)} is covered by ${what} ${keyList(coveredBy)}`,
            object: `${index.schema}.${index.name}`,
            location: indexLocation(origin, t, index),
            hint: `Drop ${index.name}: ${coveredBy.name}, which enforces ${constraint?.type === 'primary key' ? 'the primary key' : 'the unique constraint'}, answers the same lookups.`,
            fix: dropIndexFix(t, index),
          });
        }),
    );
  },
};
