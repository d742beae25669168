import { tableOrigin } from '../../catalog/origin.js';
import { quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';

export const policyWithoutRls: SchemaRule = {
  id: 'policy-without-rls',
  area: 'schema',
  severity: 'error',
  summary:
    'Policies on a table whose ROW LEVEL SECURITY is not enabled are never applied: the table looks protected in the schema while every row is visible to anyone with table privileges.',
  check({ catalog, origin }) {
    return catalog.tables
      .filter((t) => t.policies.length > 0 && !t.rlsEnabled)
      .map((t) => {
        const names = t.policies.map((p) => p.name);
        return finding(this, {
          message: `Table ${t.schema}.${t.name} has ${names.length === 1 ? `policy ${names[0]}` : `policies ${names.join(', ')}`} but row level security is not enabled: they do nothing`,
          object: `${t.schema}.${t.name}`,
          location: tableOrigin(origin, t.schema, t.name),
          hint: 'Enable row level security so the policies apply; check first that they admit every role and action that needs access, since rows they do not allow disappear.',
          fix: {
            description: 'Turn row level security on, so the existing policies take effect',
            sql: `ALTER TABLE ${quoteQualified(t.schema, t.name)} ENABLE ROW LEVEL SECURITY;`,
          },
        });
      });
  },
};
