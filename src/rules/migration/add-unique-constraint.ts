import { quoteIdent } from '../../sql/quote.js';
import type { Finding } from '../../types.js';
import { finding, type AnyNode, type MigrationRule } from '../types.js';
import { defaultConstraintName, onlyRelationName, relationName } from './objects-util.js';
import { alterCommands, existingRef, names, NO_TRANSACTION, qualified, tableWithoutDetails } from './util.js';

export const addUniqueConstraint: MigrationRule = {
  id: 'add-unique-constraint',
  area: 'migration',
  severity: 'warning',
  summary:
    'ADD UNIQUE / ADD PRIMARY KEY builds its index on an existing table under an ACCESS EXCLUSIVE lock (no reads or writes until it is built); build the index concurrently and attach it with USING INDEX.',
  kinds: ['AlterTableStmt'],
  alterSubtypes: ['AT_AddConstraint'],
  async check(ctx) {
    const added = alterCommands(ctx)
      .map((cmd) => (cmd.subtype === 'AT_AddConstraint' ? (cmd.def?.Constraint as AnyNode | undefined) : undefined))
      // USING INDEX attaches an index built beforehand (ideally CONCURRENTLY): nothing is built here.
      .filter((c): c is AnyNode => ['CONSTR_UNIQUE', 'CONSTR_PRIMARY'].includes(c?.contype) && !c?.indexname);
    if (!added.length) return [];
    // A table created earlier in this deployment is empty: the index builds instantly.
    const ref = await existingRef(ctx, ctx.node.relation);
    if (!ref) return [];
    // Details name the constraint and find nullable key columns; a table unknown to the catalog has none.
    const table = (await ctx.before.table(ctx.node.relation)) ?? tableWithoutDetails(ref);

    const out: Finding[] = [];
    for (const c of added) {
      const primary = c.contype === 'CONSTR_PRIMARY';
      const kind = primary ? 'PRIMARY KEY' : 'UNIQUE';
      const columns = names(c.keys);
      const name: string = c.conname ?? defaultConstraintName(table, primary ? [] : columns, primary ? 'pkey' : 'key');
      // PRIMARY KEY … USING INDEX still runs SET NOT NULL (a full scan under the lock) on nullable columns.
      const nullable = primary ? columns.filter((col) => table.columns.find((tc) => tc.name === col)?.notNull === false) : [];
      // CREATE INDEX CONCURRENTLY cannot build an index on a partitioned table (through PG 18);
      // WITHOUT OVERLAPS (PG 18) needs a GiST exclusion index the fix does not write.
      const fixable = table.kind === 'table' && !c.without_overlaps && !c.options && !c.indexspace;
      out.push(
        finding(this, {
          severity: ctx.sized(table, this.severity),
          message: `ADD ${kind} ${name} on existing table ${qualified(table)} builds a unique index under an ACCESS EXCLUSIVE lock: reads and writes wait until it is built`,
          object: qualified(table),
          location: ctx.locate(c.location),
          hint:
            (table.kind === 'partitioned table'
              ? 'USING INDEX is not supported on a partitioned table: on each partition, build the unique index CONCURRENTLY and attach it with ADD CONSTRAINT … USING INDEX; the constraint added to the parent then reuses those instead of building.'
              : `Build the index with CREATE UNIQUE INDEX CONCURRENTLY (outside a transaction), then attach it: ALTER TABLE … ADD CONSTRAINT … ${kind} USING INDEX takes the lock only briefly.`) +
            (nullable.length
              ? ` ${nullable.length > 1 ? 'Columns' : 'Column'} ${nullable.join(', ')} ${nullable.length > 1 ? 'are' : 'is'} nullable: make ${nullable.length > 1 ? 'them' : 'it'} NOT NULL first (PG 12+: CHECK (… IS NOT NULL) NOT VALID, VALIDATE, then SET NOT NULL), or the primary key scans the table under the lock.`
              : ''),
          fix: fixable
            ? {
                description: `Build the unique index concurrently, then attach it as the ${primary ? 'primary key' : 'unique constraint'}`,
                sql: [
                  NO_TRANSACTION,
                  `CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${relationName(ctx.node.relation)} (${columns.map(quoteIdent).join(', ')})` +
                    (c.including ? ` INCLUDE (${names(c.including).map(quoteIdent).join(', ')})` : '') +
                    (c.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '') +
                    ';',
                  `ALTER TABLE ${onlyRelationName(ctx.node.relation)} ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(name)}` +
                    (c.deferrable ? ' DEFERRABLE' : '') +
                    (c.initdeferred ? ' INITIALLY DEFERRED' : '') +
                    ';',
                ].join('\n'),
              }
            : undefined,
        }),
      );
    }
    return out;
  },
};
