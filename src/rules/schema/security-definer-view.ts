import { quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { isExposed } from './security-util.js';

/** A boolean reloption as PostgreSQL's parse_bool reads it (true, yes, on, 1 and their prefixes). */
function isTrue(value: string): boolean {
  const v = value.toLowerCase();
  return v === '1' || v === 'on' || (v.length > 0 && ('true'.startsWith(v) || 'yes'.startsWith(v)));
}

export const securityDefinerView: SchemaRule = {
  id: 'security-definer-view',
  area: 'schema',
  severity: 'error',
  summary:
    "A view in a schema exposed to clients runs with its owner's rights unless it has security_invoker (PG 15+), so it bypasses the row level security of the tables it reads. Only in the supabase profile: the default profile has no notion of exposed schemas.",
  profiles: ['supabase'],
  check(ctx) {
    // PG 15+: security_invoker; before it, every view checks permissions and RLS as its owner.
    const hasInvoker = ctx.catalog.serverVersion >= 150000;
    return ctx.catalog.views
      .filter((v) => !v.materialized && isExposed(ctx, v.schema))
      .filter((v) => !v.options.some((o) => o.startsWith('security_invoker=') && isTrue(o.slice('security_invoker='.length))))
      .map((v) =>
        finding(this, {
          message: `View ${v.schema}.${v.name} is exposed to clients and runs as its owner: it bypasses the row level security of the tables it reads`,
          object: `${v.schema}.${v.name}`,
          location: ctx.origin.objects[`view:${v.schema}.${v.name}`],
          hint: hasInvoker
            ? 'Make it check permissions and policies as the querying user with security_invoker = true (PG 15+). If it must run as its owner, move it to a schema that is not exposed.'
            : `This server is PostgreSQL ${Math.floor(ctx.catalog.serverVersion / 10000)}: security_invoker only exists from PG 15. Move the view to a schema that is not exposed, or revoke SELECT on it from anon and authenticated, or upgrade and set security_invoker = true.`,
          fix: hasInvoker
            ? { description: 'Run the view with the rights of the querying user (PG 15+)', sql: `ALTER VIEW ${quoteQualified(v.schema, v.name)} SET (security_invoker = true);` }
            : undefined,
        }),
      );
  },
};
