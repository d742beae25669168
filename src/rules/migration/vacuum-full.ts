import type { RangeVar } from '../../migrate/statement.js';
import { finding, type AnyNode, type MigrationRule, type TableRef } from '../types.js';
import { optionOn, relationName } from './objects-util.js';
import { existingRef, qualified } from './util.js';

export const vacuumFull: MigrationRule = {
  id: 'vacuum-full',
  area: 'migration',
  severity: 'warning',
  summary: 'VACUUM FULL and CLUSTER rewrite an existing table under an ACCESS EXCLUSIVE lock: no reads or writes until the copy is done; use pg_repack or pg_squeeze.',
  kinds: ['VacuumStmt', 'ClusterStmt'],
  async check(ctx) {
    const cluster = ctx.stmt.kind === 'ClusterStmt';
    // VacuumStmt is also ANALYZE; only FULL rewrites.
    if (!cluster && !(ctx.node.is_vacuumcmd && optionOn(ctx.node.options, 'full'))) return [];
    const relations: RangeVar[] = cluster ? [ctx.node.relation].filter(Boolean) : (ctx.node.rels ?? []).map((r: AnyNode) => r.VacuumRelation?.relation);
    const command = cluster ? 'CLUSTER' : 'VACUUM FULL';
    const hint = 'Rewrite online with pg_repack (or pg_squeeze), which holds the exclusive lock only for a moment at the end; a plain VACUUM makes dead space reusable without any rewrite.';
    if (!relations.length) {
      // Without a table: VACUUM FULL rewrites every table; CLUSTER every table clustered before.
      return [
        finding(this, {
          message: `${command} without a table rewrites ${cluster ? 'every previously clustered table' : 'every table of the database'}, each under an ACCESS EXCLUSIVE lock`,
          location: ctx.locate(),
          hint,
        }),
      ];
    }
    const tables: Array<{ table: TableRef; relation: RangeVar }> = [];
    for (const relation of relations) {
      // A table created earlier in this deployment is small and unused: rewriting it harms no one.
      const table = await existingRef(ctx, relation);
      if (table) tables.push({ table, relation });
    }
    return tables.map(({ table, relation }) =>
      finding(this, {
        severity: ctx.sized(table, this.severity),
        message: `${command} rewrites existing table ${qualified(table)} under an ACCESS EXCLUSIVE lock: reads and writes wait until the copy is done`,
        object: qualified(table),
        location: ctx.locate(),
        hint,
        fix: cluster
          ? undefined
          : { description: 'Make dead space reusable without a rewrite (does not return it to the OS; pg_repack does, online)', sql: `VACUUM (ANALYZE) ${relationName(relation)};` },
      }),
    );
  },
};
