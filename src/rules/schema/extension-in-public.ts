import { quoteIdent } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';

export const extensionInPublic: SchemaRule = {
  id: 'extension-in-public',
  area: 'schema',
  severity: 'info',
  summary:
    "An extension installed in `public` (or another schema exposed to clients) mixes its functions, types and operators with the application's own: they show up in the API and in schema dumps and diffs, and a non-relocatable extension can never be moved out.",
  check({ catalog, origin, exposedSchemas, profile }) {
    const exposed = new Set(['public', ...exposedSchemas]);
    return catalog.extensions
      .filter((e) => exposed.has(e.schema))
      .map((e) =>
        finding(this, {
          // Supabase exposes these schemas through its API, where extension functions become callable endpoints.
          severity: profile === 'supabase' ? 'warning' : 'info',
          message: `Extension ${e.name} is installed in schema ${e.schema}${e.schema === 'public' ? '' : ', which is exposed to clients'}`,
          object: `${e.schema}.${e.name}`,
          location: origin.objects[`extension:${e.name}`],
          hint: 'Install extensions in their own schema: CREATE EXTENSION … WITH SCHEMA extensions (and add that schema to search_path where the functions are called unqualified).',
          fix: {
            description:
              'Move it to a dedicated schema (works for relocatable extensions; others must be dropped and re-created there). Columns of its types keep working; code calling its functions unqualified needs `extensions` on its search_path.',
            sql: `CREATE SCHEMA IF NOT EXISTS extensions;\nALTER EXTENSION ${quoteIdent(e.name)} SET SCHEMA extensions;`,
          },
        }),
      );
  },
};
