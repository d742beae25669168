import { columnOrigin } from '../../catalog/origin.js';
import { finding, type SchemaRule } from '../types.js';
import { columnName, designTables, hasBeforeUpdateRowTrigger, isBuiltin, isUpdatedAtName, updatedAtTriggerSql } from './design-util.js';

export const updatedAtNoTrigger: SchemaRule = {
  id: 'updated-at-no-trigger',
  area: 'schema',
  severity: 'warning',
  summary:
    'An `updated_at` column that no BEFORE UPDATE trigger maintains is only as current as every code path that remembers to set it — so it silently lies after a manual fix, a bulk UPDATE or a new service.',
  check({ catalog, origin }) {
    return designTables(catalog)
      // Any enabled BEFORE UPDATE row trigger may set it (a trigger's body is not read): only tables
      // with none at all are reported.
      .filter((t) => !hasBeforeUpdateRowTrigger(t))
      .flatMap((t) =>
        t.columns
          .filter((c) => isUpdatedAtName(c.name) && isBuiltin(c, 'timestamptz', 'timestamp') && !c.generated)
          .map((c) => {
            const disabled = t.triggers.some((tr) => !tr.enabled && tr.timing === 'before' && tr.forEachRow && tr.events.includes('update'));
            return finding(this, {
              message: `Column ${columnName(t, c.name)} is not maintained by any ${disabled ? 'enabled ' : ''}BEFORE UPDATE trigger on ${t.schema}.${t.name}`,
              object: columnName(t, c.name),
              location: columnOrigin(origin, t.schema, t.name, c.name),
              hint: `Add a BEFORE UPDATE … FOR EACH ROW trigger that sets NEW.${c.name} := now().`,
              fix: {
                description: 'A shared trigger function with a pinned search_path, and a row trigger on this table (CREATE TRIGGER takes a brief SHARE ROW EXCLUSIVE lock)',
                sql: updatedAtTriggerSql(catalog, t, c.name),
              },
            });
          }),
      );
  },
};
