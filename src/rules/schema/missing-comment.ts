import { tableOrigin } from '../../catalog/origin.js';
import { quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { designTables } from './design-util.js';

export const missingComment: SchemaRule = {
  id: 'missing-comment',
  area: 'schema',
  severity: 'info',
  summary:
    'A table without COMMENT leaves its purpose — what one row represents, and why it was shaped (or denormalized) this way — to tribal memory; comments travel with the schema into every tool and dump.',
  check({ catalog, origin }) {
    return designTables(catalog)
      .filter((t) => !t.comment?.trim())
      .map((t) =>
        finding(this, {
          message: `Table ${t.schema}.${t.name} has no comment`,
          object: `${t.schema}.${t.name}`,
          location: tableOrigin(origin, t.schema, t.name),
          hint: 'Say what one row represents, and any design decision a newcomer would question.',
          fix: {
            description: 'Template: replace the text (COMMENT takes a brief SHARE UPDATE EXCLUSIVE lock)',
            sql: `COMMENT ON TABLE ${quoteQualified(t.schema, t.name)} IS 'One row per …: what it represents, and why it is shaped this way.';`,
          },
        }),
      );
  },
};
