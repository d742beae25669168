import { loadParser } from '../../sql/parse.js';
import { quoteIdent, quoteQualified } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';
import { isExposed, parseExpression, perRowCalls, policyOrigin, securableTables, wrapCalls } from './security-util.js';

export const rlsInitplan: SchemaRule = {
  id: 'rls-initplan',
  area: 'schema',
  severity: 'warning',
  summary:
    'A policy that calls auth.uid(), auth.jwt() or current_setting() directly runs the call for every row a query reads; written as `(select auth.uid())` it runs once per statement (an InitPlan).',
  profiles: ['supabase'],
  async check(ctx) {
    await loadParser();
    const findings: Finding[] = [];
    for (const t of securableTables(ctx.catalog.tables)) {
      if (!isExposed(ctx, t.schema)) continue;
      for (const p of t.policies) {
        // Each clause as PostgreSQL prints it (pg_get_expr), parsed with the real parser.
        const clauses = (['using', 'withCheck'] as const).flatMap((clause) => {
          const text = p[clause];
          const parsed = text === undefined ? undefined : parseExpression(text);
          const calls = parsed ? perRowCalls(parsed) : [];
          return parsed && calls.length ? [{ clause, calls, rewritten: wrapCalls(parsed, calls) }] : [];
        });
        if (clauses.length === 0) continue;
        const called = [...new Set(clauses.flatMap((c) => c.calls.map((call) => call.text)))];
        const using = clauses.find((c) => c.clause === 'using');
        const check = clauses.find((c) => c.clause === 'withCheck');
        findings.push(
          finding(this, {
            message: `Policy ${p.name} on ${t.schema}.${t.name} calls ${called.join(', ')} once per row instead of once per query`,
            object: `${t.schema}.${t.name}.${p.name}`,
            location: policyOrigin(ctx.origin, t, p.name),
            hint: `Wrap each call in a scalar subquery, e.g. (select ${called[0]}): PostgreSQL then evaluates it once per statement. The result is the same, since the value does not depend on the row.`,
            fix: {
              description: 'Change the policy in place (ALTER POLICY keeps its command, roles and permissiveness)',
              sql: [
                `ALTER POLICY ${quoteIdent(p.name)} ON ${quoteQualified(t.schema, t.name)}`,
                using ? `  USING (${using.rewritten})` : undefined,
                check ? `  WITH CHECK (${check.rewritten})` : undefined,
              ]
                .filter(Boolean)
                .join('\n') + ';',
            },
          }),
        );
      }
    }
    return findings;
  },
};
