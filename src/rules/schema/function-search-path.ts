import { quoteQualified } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { isExposed } from './security-util.js';

export const functionSearchPath: SchemaRule = {
  id: 'function-search-path',
  area: 'schema',
  severity: 'warning',
  summary:
    "A SECURITY DEFINER function without a fixed search_path resolves names through the caller's search_path, so a caller can make it run their own objects with the owner's rights; in the supabase profile, every function in an exposed schema is checked too.",
  check(ctx) {
    return ctx.catalog.functions
      .filter((f) => f.securityDefiner || (ctx.profile === 'supabase' && isExposed(ctx, f.schema)))
      .filter((f) => !f.config.some((setting) => setting.startsWith('search_path=')))
      .map((f) => {
        // pg_get_function_result is NULL for procedures (PG 11+).
        const kind = f.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION';
        const why = f.securityDefiner ? `is SECURITY DEFINER and` : `is exposed to clients (schema ${f.schema}) and`;
        return finding(this, {
          message: `${kind === 'FUNCTION' ? 'Function' : 'Procedure'} ${f.schema}.${f.name}(${f.arguments}) ${why} has no fixed search_path: names in its body resolve through the caller's search_path`,
          object: `${f.schema}.${f.name}(${f.arguments})`,
          location: ctx.origin.objects[`function:${f.schema}.${f.name}`],
          hint: "Pin its search_path, to '' (then schema-qualify every table, type and function its body uses, e.g. public.orders; pg_catalog is always searched) or to a list of trusted schemas.",
          fix: {
            description: "Set an empty search_path (references in the body must then be schema-qualified)",
            sql: `ALTER ${kind} ${quoteQualified(f.schema, f.name)}(${f.arguments}) SET search_path = '';`,
          },
        });
      });
  },
};
