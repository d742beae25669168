import { loadParser } from '../../sql/parse.js';
import { finding, type SchemaRule } from '../types.js';
import { dropIndexFix, indexLocation, indexRedundancies, keyList } from './normal-util.js';

export const duplicateIndex: SchemaRule = {
  id: 'duplicate-index',
  area: 'schema',
  severity: 'warning',
  summary:
    'An index identical to another (same method, keys, opclasses, collations, INCLUDE and predicate), or a btree whose keys lead another btree, only slows every write and takes space: the other index serves all its queries.',
  async check({ catalog, origin }) {
    await loadParser();
    return catalog.tables.flatMap((t) =>
      indexRedundancies(t, catalog)
        // Covered by a primary key or unique constraint: redundant-index reports it.
        .filter((r) => r.rule === 'duplicate-index')
        .map(({ index, coveredBy, kind }) =>
          finding(this, {
            message:
              kind === 'identical'
                ? `Index ${index.schema}.${index.name} on ${t.schema}.${t.name} ${keyList(index)} is identical to ${coveredBy.name}`
                : `Index ${index.schema}.${index.name} on ${t.schema}.${t.name} ${keyList(index)} is a prefix of ${coveredBy.name} ${keyList(coveredBy)}, which serves the same queries`,
            object: `${index.schema}.${index.name}`,
            location: indexLocation(origin, t, index),
            hint: index.constraint
              ? `Drop the constraint ${index.constraint}; ${coveredBy.name} enforces the same. A foreign key that references it must first be re-created against ${coveredBy.constraint ?? coveredBy.name}.`
              : `Drop ${index.name}; ${coveredBy.name} serves its queries.`,
            fix: dropIndexFix(t, index),
          }),
        ),
    );
  },
};
