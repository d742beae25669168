import { loadParser } from '../../sql/parse.js';
import type { Finding } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';
import { isAlwaysTrue, policyOrigin } from './security-util.js';

export const policyAlwaysTrue: SchemaRule = {
  id: 'policy-always-true',
  area: 'schema',
  severity: 'warning',
  summary:
    'A permissive INSERT, UPDATE, DELETE or ALL policy with USING (true) or WITH CHECK (true) lets its roles write every row, which makes row level security pointless for writes (SELECT … USING (true) is a legitimate public-read policy and is not reported).',
  async check({ catalog, origin }) {
    await loadParser();
    const findings: Finding[] = [];
    for (const t of catalog.tables) {
      for (const p of t.policies) {
        // A restrictive policy that is always true restricts nothing, but also grants nothing.
        if (!p.permissive || p.command === 'select') continue;
        const clauses = [isAlwaysTrue(p.using) ? 'USING (true)' : undefined, isAlwaysTrue(p.withCheck) ? 'WITH CHECK (true)' : undefined].filter(Boolean);
        if (clauses.length === 0) continue;
        const action = p.command === 'all' ? 'every action' : p.command.toUpperCase();
        findings.push(
          finding(this, {
            message: `Policy ${p.name} on ${t.schema}.${t.name} allows ${action} on every row for ${p.roles.join(', ')} (${clauses.join(', ')})`,
            object: `${t.schema}.${t.name}.${p.name}`,
            location: policyOrigin(origin, t, p.name),
            hint: 'Restrict the rows a role may write, e.g. WITH CHECK (owner_id = (select auth.uid())). If only trusted server code writes, drop the policy and let that code use a BYPASSRLS role (Supabase: the service role).',
          }),
        );
      }
    }
    return findings;
  },
};
