import { columnOrigin, constraintOrigin, indexOrigin, tableOrigin } from '../../catalog/origin.js';
import type { Location } from '../../types.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';

const LIMIT = 63; // NAMEDATALEN - 1

/**
 * PostgreSQL's scanner truncates every identifier longer than 63 bytes (with only a NOTICE) before the
 * catalog — or the parse tree pgarch's origin map is built from — ever sees it, so the long name as
 * written is gone: a truncated name is exactly at the limit. That is what this detects: a name that
 * leaves no room for one more character of the width of its last one (63 bytes for ASCII; a name cut
 * at a multi-byte character boundary can end a byte or two short). A name written exactly that long is
 * reported too: it is one character away from the same trap.
 */
export function atIdentifierLimit(name: string): boolean {
  const bytes = Buffer.byteLength(name);
  const last = [...name].pop() ?? '';
  return bytes + Buffer.byteLength(last) > LIMIT;
}

/**
 * Names PostgreSQL generates for unnamed constraints and indexes (`orders_customer_id_fkey`,
 * `orders_created_at_idx1`): it shortens their parts to fit, so reaching the limit is harmless there.
 */
const GENERATED = /_(pkey|key|fkey|check|excl|idx|not_null)\d*$/;

export const identifierTooLong: SchemaRule = {
  id: 'identifier-too-long',
  area: 'schema',
  severity: 'warning',
  summary:
    'PostgreSQL silently truncates identifiers to 63 bytes: the name in the catalog is not the one in the migration, two long names can collide, and tools that compare names (ORMs, schema diffs) see a mismatch.',
  check({ catalog, origin }) {
    const findings: Finding[] = [];
    const report = (kind: string, object: string, name: string, location: Location | undefined) =>
      findings.push(
        finding(this, {
          message: `${kind} ${object} is ${Buffer.byteLength(name)} bytes long, at PostgreSQL's 63-byte limit: it was probably truncated from a longer name`,
          object,
          location,
          hint: `Give it a shorter name (under 63 bytes) in the migration, and rename the existing ${kind.toLowerCase()}; code that spells the long name only works because PostgreSQL truncates it the same way.`,
        }),
      );
    for (const t of catalog.tables) {
      const tableKey = `${t.schema}.${t.name}`;
      const written = origin.tables[tableKey];
      if (atIdentifierLimit(t.name)) report('Table', tableKey, t.name, tableOrigin(origin, t.schema, t.name));
      if (t.partitionOf) continue; // a partition's columns, constraints and indexes come from its parent
      for (const c of t.columns) if (atIdentifierLimit(c.name)) report('Column', `${tableKey}.${c.name}`, c.name, columnOrigin(origin, t.schema, t.name, c.name));
      for (const c of t.constraints) {
        if (!atIdentifierLimit(c.name) || (!written?.constraints[c.name] && GENERATED.test(c.name))) continue;
        report('Constraint', `${tableKey}.${c.name}`, c.name, constraintOrigin(origin, t.schema, t.name, c));
      }
      // Indexes that back a constraint carry its name: reported as the constraint.
      for (const i of t.indexes) {
        if (i.constraint || !atIdentifierLimit(i.name) || (!origin.indexes[`${i.schema}.${i.name}`] && GENERATED.test(i.name))) continue;
        report('Index', `${i.schema}.${i.name}`, i.name, indexOrigin(origin, t.schema, t.name, i));
      }
    }
    return findings;
  },
};
