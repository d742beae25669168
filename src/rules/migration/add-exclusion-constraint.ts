import type { Finding } from '../../types.js';
import { finding, type AnyNode, type MigrationRule } from '../types.js';
import { alterCommands, existingRef, qualified } from './util.js';

export const addExclusionConstraint: MigrationRule = {
  id: 'add-exclusion-constraint',
  area: 'migration',
  severity: 'warning',
  summary:
    'ADD EXCLUDE builds an index and checks every row of an existing table under an ACCESS EXCLUSIVE lock, and has no online form: plan a maintenance window.',
  kinds: ['AlterTableStmt'],
  alterSubtypes: ['AT_AddConstraint'],
  async check(ctx) {
    const added = alterCommands(ctx)
      .map((cmd) => (cmd.subtype === 'AT_AddConstraint' ? (cmd.def?.Constraint as AnyNode | undefined) : undefined))
      .filter((c): c is AnyNode => c?.contype === 'CONSTR_EXCLUSION');
    if (!added.length) return [];
    // A table created earlier in this deployment is empty: the index builds instantly.
    const table = await existingRef(ctx, ctx.node.relation);
    if (!table) return [];
    return added.map(
      (c): Finding =>
        finding(this, {
          severity: ctx.sized(table, this.severity),
          message: `ADD EXCLUDE${c.conname ? ` ${c.conname}` : ''} on existing table ${qualified(table)} builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait until every row is checked`,
          object: qualified(table),
          location: ctx.locate(c.location),
          // Exclusion constraints have no USING INDEX form and no NOT VALID (through PG 18).
          hint: 'There is no online way to add an exclusion constraint (no USING INDEX, no NOT VALID): plan a maintenance window sized to the table, with SET lock_timeout so it never queues behind a long query; or add it when the table is created.',
        }),
    );
  },
};
