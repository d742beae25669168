import { constraintOrigin } from '../../catalog/origin.js';
import type { Constraint, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { designTables, findColumn, foreignKeys, singular } from './design-util.js';

/**
 * Why the child row cannot outlive its parent, or undefined when that is not obvious. Conservative on
 * purpose — only two signs count:
 * - the foreign key columns are part of the child's primary key (order_lines(order_id, line_no)): the
 *   row's identity includes the parent;
 * - the child's name starts with the parent's singular name (order_items → orders) and the foreign key
 *   columns are NOT NULL: a named part of the parent that cannot exist without one.
 */
function belongsBecause(child: Table, fk: Constraint): string | undefined {
  const ref = fk.references!;
  if (ref.schema === child.schema && ref.table === child.name) return undefined; // trees: deleting a node is a design decision
  const pk = child.constraints.find((c) => c.type === 'primary key');
  if (pk && fk.columns.every((c) => pk.columns.includes(c))) return `${fk.columns.join(', ')} ${fk.columns.length > 1 ? 'are' : 'is'} part of the primary key of ${child.schema}.${child.name}`;
  const prefix = `${singular(ref.table)}_`;
  if (child.name.startsWith(prefix) && fk.columns.every((c) => findColumn(child, c)?.notNull))
    return `${child.schema}.${child.name} is named as a part of ${ref.schema}.${ref.table} and its ${fk.columns.join(', ')} is NOT NULL`;
  return undefined;
}

/** The same foreign key with ON DELETE CASCADE, as a definition that does not depend on search_path. */
function cascadeDefinition(fk: Constraint): string {
  const ref = fk.references!;
  const parts = [
    `FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) REFERENCES ${quoteQualified(ref.schema, ref.table)} (${ref.columns.map(quoteIdent).join(', ')})`,
    / MATCH FULL\b/.test(fk.definition) ? 'MATCH FULL' : '',
    ref.onUpdate !== 'no action' ? `ON UPDATE ${ref.onUpdate.toUpperCase()}` : '',
    'ON DELETE CASCADE',
    fk.deferrable ? (/INITIALLY DEFERRED/.test(fk.definition) ? 'DEFERRABLE INITIALLY DEFERRED' : 'DEFERRABLE') : '',
  ];
  return parts.filter(Boolean).join(' ');
}

export const fkMissingOnDelete: SchemaRule = {
  id: 'fk-missing-on-delete',
  area: 'schema',
  severity: 'info',
  summary:
    'A foreign key left at the default ON DELETE NO ACTION where the child plainly belongs to its parent (the key is part of the child\'s primary key, or order_items → orders) makes every parent delete fail until code deletes the children first.',
  check({ catalog, origin }) {
    return designTables(catalog).flatMap((t) =>
      foreignKeys(catalog, t)
        .filter((c) => c.references!.onDelete === 'no action')
        .flatMap((fk) => {
          const because = belongsBecause(t, fk);
          if (!because) return [];
          const ref = fk.references!;
          const table = quoteQualified(t.schema, t.name);
          const name = quoteIdent(fk.name);
          // Before PG 18 a foreign key on a partitioned table cannot be added NOT VALID: it is checked as it is added.
          const partitioned = t.kind === 'partitioned table';
          const validateLater = fk.validated && !partitioned;
          return [
            finding(this, {
              message: `Foreign key ${t.schema}.${t.name}.${fk.name} → ${ref.schema}.${ref.table} has no ON DELETE action, though ${because}`,
              object: `${t.schema}.${t.name}.${fk.name}`,
              location: constraintOrigin(origin, t.schema, t.name, fk),
              hint: `Declare what deleting a row of ${ref.schema}.${ref.table} does to its rows in ${t.schema}.${t.name}: ON DELETE CASCADE if they go with it, ON DELETE RESTRICT to make "must delete them first" explicit.`,
              fix: {
                description:
                  (partitioned
                    ? 'Recreate the foreign key with ON DELETE CASCADE, dropped and re-added in one statement; on a partitioned table it is checked as it is added (writes wait for the scan). '
                    : 'Recreate the foreign key with ON DELETE CASCADE: dropped and re-added NOT VALID in one statement (brief locks on both tables), then validated without blocking writes. ') +
                  'Cascading deletes are a behaviour change: make sure that is what deleting a parent should do.',
                sql: `ALTER TABLE ${table}\n  DROP CONSTRAINT ${name},\n  ADD CONSTRAINT ${name} ${cascadeDefinition(fk)}${fk.validated && partitioned ? '' : ' NOT VALID'};${validateLater ? `\nALTER TABLE ${table} VALIDATE CONSTRAINT ${name};` : ''}`,
              },
            }),
          ];
        }),
    );
  },
};
