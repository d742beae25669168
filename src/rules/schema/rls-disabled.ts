import { tableOrigin } from '../../catalog/origin.js';
import { quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { isExposed, securableTables } from './security-util.js';

export const rlsDisabled: SchemaRule = {
  id: 'rls-disabled',
  area: 'schema',
  severity: 'error',
  summary:
    'A table in a schema exposed to clients (Supabase/PostgREST) without ROW LEVEL SECURITY can be read and changed by anyone holding the public API key.',
  profiles: ['supabase'],
  check(ctx) {
    return securableTables(ctx.catalog.tables)
      .filter((t) => isExposed(ctx, t.schema) && !t.rlsEnabled)
      .map((t) =>
        finding(this, {
          message: `Table ${t.schema}.${t.name} is exposed to clients (schema ${t.schema}) but row level security is off: every row is readable and writable through the API`,
          object: `${t.schema}.${t.name}`,
          location: tableOrigin(ctx.origin, t.schema, t.name),
          hint: t.partitionOf
            ? `Enable row level security on the partition too: queried directly, it ignores the policies of ${t.partitionOf}. With no policy of its own, only access through the parent remains.`
            : 'Enable row level security, then add a policy per action for the roles that need access (with none, only the owner and BYPASSRLS roles see rows).',
          fix: {
            description: 'Turn row level security on (clients then see no rows until policies allow them)',
            sql: `ALTER TABLE ${quoteQualified(t.schema, t.name)} ENABLE ROW LEVEL SECURITY;`,
          },
        }),
      );
  },
};
