import type { Policy, Table } from '../../catalog/types.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import type { Finding, Fix } from '../../types.js';
import { finding, type SchemaRule } from '../types.js';
import { isExposed, POLICY_ACTIONS, policiesInSourceOrder, policyActions, policyOrigin, roleList, securableTables, type PolicyAction } from './security-util.js';

/** Policies that apply to a role: those naming it, and those for PUBLIC (every role). */
const appliesTo = (p: Policy, role: string) => p.roles.includes(role) || p.roles.includes('public');

interface Overlap {
  /** In source order; the last one is where the overlap began. */
  policies: Policy[];
  roles: string[];
  actions: PolicyAction[];
}

/** Groups of two or more permissive policies sharing a role and an action, one group per set of policies. */
function overlaps(policies: Policy[]): Overlap[] {
  const permissive = policies.filter((p) => p.permissive);
  // PUBLIC stands for every role not named: two PUBLIC policies overlap on all of them.
  const roles = [...new Set(permissive.flatMap((p) => p.roles))].sort((a, b) => (a === 'public' ? -1 : b === 'public' ? 1 : a.localeCompare(b)));
  if (!roles.includes('public')) roles.unshift('public');
  const groups = new Map<string, Overlap>();
  for (const role of roles) {
    for (const action of POLICY_ACTIONS) {
      const applying = permissive.filter((p) => (role === 'public' ? p.roles.includes('public') : appliesTo(p, role)) && policyActions(p).includes(action));
      if (applying.length < 2) continue;
      const key = applying.map((p) => p.name).join('\0');
      const group = groups.get(key) ?? { policies: applying, roles: [], actions: [] };
      if (!group.roles.includes(role)) group.roles.push(role);
      if (!group.actions.includes(action)) group.actions.push(action);
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

/** One policy equivalent to several, when they share command and roles: USING and WITH CHECK OR-ed. */
function mergeFix(table: Table, policies: Policy[]): Fix | undefined {
  const [first] = policies;
  const sameRoles = (p: Policy) => [...p.roles].sort().join() === [...first.roles].sort().join();
  if (!policies.every((p) => p.command === first.command && sameRoles(p))) return undefined;
  const name = truncateIdentifier(`${table.name}_${first.command}_merged`);
  const or = (exprs: Array<string | undefined>) => (exprs.every((e) => e !== undefined) ? exprs.map((e) => `(${e})`).join(' OR ') : undefined);
  // An UPDATE/ALL policy without WITH CHECK checks new rows with its USING expression.
  const usesUsing = first.command !== 'insert';
  const hasCheck = first.command !== 'select' && first.command !== 'delete';
  const using = usesUsing ? or(policies.map((p) => p.using)) : undefined;
  const check = hasCheck ? or(policies.map((p) => p.withCheck ?? (first.command === 'insert' ? undefined : p.using))) : undefined;
  if ((usesUsing && !using) || (first.command === 'insert' && !check)) return undefined;
  const target = quoteQualified(table.schema, table.name);
  return {
    description: `Replace them with one policy whose conditions are OR-ed (same rows allowed, one evaluation per row)`,
    sql: [
      'BEGIN;',
      ...policies.map((p) => `DROP POLICY ${quoteIdent(p.name)} ON ${target};`),
      `CREATE POLICY ${quoteIdent(name)} ON ${target} AS PERMISSIVE FOR ${first.command.toUpperCase()} TO ${roleList(first.roles)}` +
        (using ? `\n  USING (${using})` : '') +
        (check && check !== using ? `\n  WITH CHECK (${check})` : '') +
        ';',
      'COMMIT;',
    ].join('\n'),
  };
}

export const multiplePermissivePolicies: SchemaRule = {
  id: 'multiple-permissive-policies',
  area: 'schema',
  severity: 'warning',
  summary:
    'Several permissive policies for the same role and action are all evaluated for every row (their results are OR-ed), which multiplies the cost of row level security; one policy with the conditions combined is cheaper and easier to audit.',
  profiles: ['supabase'],
  check(ctx) {
    const findings: Finding[] = [];
    for (const t of securableTables(ctx.catalog.tables)) {
      if (!isExposed(ctx, t.schema) || t.policies.length < 2) continue;
      for (const group of overlaps(policiesInSourceOrder(ctx.origin, t))) {
        const names = group.policies.map((p) => p.name);
        const last = group.policies[group.policies.length - 1];
        const roles = group.roles.map((r) => (r === 'public' ? 'every role (PUBLIC)' : r));
        findings.push(
          finding(this, {
            message: `Table ${t.schema}.${t.name} has ${names.length} permissive policies (${names.join(', ')}) for ${roles.join(', ')} on ${group.actions.map((a) => a.toUpperCase()).join(', ')}: each is evaluated for every row`,
            object: `${t.schema}.${t.name}.${last.name}`,
            location: policyOrigin(ctx.origin, t, last.name),
            hint: 'Combine them into one permissive policy per role and action (conditions OR-ed), or make the ones that only narrow access AS RESTRICTIVE.',
            fix: mergeFix(t, group.policies),
          }),
        );
      }
    }
    return findings;
  },
};
