import { tableOrigin } from '../../catalog/origin.js';
import { finding, type SchemaRule } from '../types.js';
import { isExposed, securableTables } from './security-util.js';

export const rlsNoPolicy: SchemaRule = {
  id: 'rls-no-policy',
  area: 'schema',
  severity: 'info',
  summary:
    'A table with row level security enabled and no policy returns no rows to clients: only its owner and BYPASSRLS roles (the service role) can read or change it.',
  profiles: ['supabase'],
  check(ctx) {
    return securableTables(ctx.catalog.tables)
      // A partition with RLS and no policy is the safe pattern: direct access is closed, the parent's policies apply through it.
      .filter((t) => isExposed(ctx, t.schema) && t.rlsEnabled && t.policies.length === 0 && !t.partitionOf)
      .map((t) =>
        finding(this, {
          message: `Table ${t.schema}.${t.name} has row level security enabled but no policy: clients can neither read nor change any row`,
          object: `${t.schema}.${t.name}`,
          location: tableOrigin(ctx.origin, t.schema, t.name),
          hint: `If clients should reach it, add a policy per action, e.g. CREATE POLICY ${t.name}_select ON ${t.schema}.${t.name} FOR SELECT TO authenticated USING (owner_id = (select auth.uid())). If only the server (service role) uses it, move it to a schema that is not exposed, or silence this rule for it.`,
        }),
      );
  },
};
