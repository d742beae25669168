import { columnOrigin } from '../../catalog/origin.js';
import type { Column, Table } from '../../catalog/types.js';
import type { Queryable } from '../../engine/types.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule, type SchemaRuleContext } from '../types.js';
import { columnName, constraintsOn, designTables, isBuiltin, quoteLiteral } from './design-util.js';

/** `status`, `order_status`, `state`, `type`, `kind`… : names of columns that hold one of a few codes. */
const STATUS_LIKE = /(^|_)(status|state|type|kind)$/;
/** Open-ended by nature: MIME types are an external, growing vocabulary. */
const OPEN_ENDED = new Set(['mime_type', 'content_type', 'media_type']);
/** `state` beside these is a postal region (a free-form address part), not a lifecycle state. */
const ADDRESS_PARTS = new Set(['city', 'country', 'country_code', 'zip', 'zip_code', 'postal_code', 'postcode', 'address', 'street', 'address_line1', 'address_line_1']);
/** More distinct values than this is not an enumeration: such columns are not reported on live data. */
const MAX_VALUES = 50;

function isCandidate(t: Table, c: Column): boolean {
  if (!isBuiltin(c, 'text', 'varchar', 'bpchar') || !STATUS_LIKE.test(c.name) || OPEN_ENDED.has(c.name)) return false;
  if (c.name === 'state' && t.columns.some((o) => ADDRESS_PARTS.has(o.name))) return false;
  // A polymorphic association (Rails' commentable_type beside commentable_id) names a model class:
  // the vocabulary is the application's classes, not a status.
  if (isPolymorphicType(t, c.name)) return false;
  // The key of a lookup table (`order_statuses(status PRIMARY KEY)`) is the vocabulary itself.
  if (constraintsOn(t, c.name, 'primary key').length) return false;
  return constraintsOn(t, c.name, 'check').length === 0 && constraintsOn(t, c.name, 'foreign key').length === 0;
}

/** `<name>_type` beside `<name>_id`: the type half of a polymorphic reference. */
function isPolymorphicType(t: Table, column: string): boolean {
  const m = /^(.+)_type$/.exec(column);
  return Boolean(m && t.columns.some((o) => o.name === `${m[1]}_id`));
}

/**
 * The column's distinct values in the first `sampleRows` rows (one bounded, read-only query:
 * identifiers quoted, the row bound a parameter). undefined when they cannot be read.
 */
async function distinctValues(engine: Queryable, t: Table, c: Column, sampleRows: number): Promise<string[] | undefined> {
  const col = quoteIdent(c.name);
  const sql = `select distinct v::text as v from (select ${col} as v from ${quoteQualified(t.schema, t.name)} where ${col} is not null limit $1) s order by 1 limit ${MAX_VALUES + 1}`;
  try {
    return (await engine.query<{ v: string }>(sql, [sampleRows])).rows.map((r) => r.v);
  } catch {
    return undefined;
  }
}

export const statusWithoutConstraint: SchemaRule = {
  id: 'status-without-constraint',
  area: 'schema',
  severity: 'warning',
  summary:
    'A status/state/type/kind text column with no CHECK, enum type or foreign key accepts any string: one typo (`"actve"`) and the row drops out of every query that filters on the real values.',
  async check(ctx: SchemaRuleContext) {
    const { catalog, origin, engine, live, sampleRows } = ctx;
    const findings: Finding[] = [];
    for (const t of designTables(catalog)) {
      for (const c of t.columns.filter((col) => isCandidate(t, col))) {
        // Only a live database's rows are the real vocabulary; rows inserted by migration files are not.
        const values = live && engine ? await distinctValues(engine, t, c, sampleRows) : undefined;
        if (values && values.length > MAX_VALUES) continue; // free text, whatever its name
        const known = values && values.length > 0 ? values : undefined;
        const table = quoteQualified(t.schema, t.name);
        const col = quoteIdent(c.name);
        const check = quoteIdent(truncateIdentifier(`${t.name}_${c.name}_check`));
        const list = known ? known.map(quoteLiteral).join(', ') : `'value_1', 'value_2' /* every allowed value */`;
        findings.push(
          finding(this, {
            message: `Column ${columnName(t, c.name)} (${c.type}) accepts any string: no CHECK, enum type or foreign key limits its values`,
            object: columnName(t, c.name),
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: `Constrain it: CHECK (${c.name} IN (…)), an enum type, or a foreign key to a lookup table of allowed values.`,
            fix: {
              description: known
                ? `CHECK with the ${known.length} value(s) found in up to ${sampleRows} rows, added NOT VALID (brief lock) and validated without blocking writes; VALIDATE fails, changing nothing, if other rows hold other values`
                : 'Template: list the allowed values; the CHECK is added NOT VALID (brief lock) and validated without blocking writes',
              sql: `ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (${col} IN (${list})) NOT VALID;\nALTER TABLE ${table} VALIDATE CONSTRAINT ${check};`,
            },
          }),
        );
      }
    }
    return findings;
  },
};
