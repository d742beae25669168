import { columnOrigin } from '../../catalog/origin.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { columnName, designTables } from './design-util.js';

/**
 * The reg* types pg_upgrade refuses (its "Checking for reg* data types in user tables", all versions):
 * they store OIDs of catalog rows that pg_upgrade does not preserve. Not listed, because pg_upgrade
 * accepts them: regclass (pg_class OIDs are preserved), regtype (pg_type OIDs, mostly), regrole
 * (pg_authid OIDs), and regdatabase (PG 18; pg_database OIDs are preserved since PG 15).
 */
export const UPGRADE_BLOCKING_REG_TYPES = ['regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper', 'regoperator', 'regproc', 'regprocedure'];

export const regTypeColumn: SchemaRule = {
  id: 'reg-type-column',
  area: 'schema',
  severity: 'warning',
  summary:
    'A column of type regproc, regprocedure, regoper, regoperator, regnamespace, regconfig, regdictionary or regcollation stores catalog OIDs that pg_upgrade does not preserve, so pg_upgrade refuses to upgrade the cluster (regclass, regtype and regrole are accepted).',
  check({ catalog, origin }) {
    return designTables(catalog).flatMap((t) =>
      t.columns
        .filter((c) => c.typeSchema === 'pg_catalog' && UPGRADE_BLOCKING_REG_TYPES.includes(c.typeName))
        .map((c) => {
          const col = quoteIdent(c.name);
          const text = c.isArray ? 'text[]' : 'text';
          return finding(this, {
            message: `Column ${columnName(t, c.name)} is ${c.type}: pg_upgrade refuses to upgrade a cluster with ${c.typeName} columns in user tables`,
            object: columnName(t, c.name),
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: `Store the object's name as text (cast it back with ::${c.typeName} when needed), as pg_dump does.`,
            fix: {
              description: `Store the names instead of the OIDs (each value converted with its ${c.typeName} output function; rewrites the table under an ACCESS EXCLUSIVE lock)`,
              sql: `ALTER TABLE ${quoteQualified(t.schema, t.name)} ALTER COLUMN ${col} TYPE ${text} USING ${col}::${text};`,
            },
          });
        }),
    );
  },
};
