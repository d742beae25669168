import { columnOrigin } from '../../catalog/origin.js';
import { quoteIdent, quoteQualified, truncateIdentifier } from '../../sql/quote.js';
import { finding, type SchemaRule } from '../types.js';
import { columnName, constraintsOn, designTables, isBuiltin } from './design-util.js';

/** varchar(n) and char(n) store n + 4 in atttypmod (VARHDRSZ); undefined when declared without a length. */
const declaredLength = (typmod: number | undefined) => (typmod === undefined || typmod < 4 ? undefined : typmod - 4);

export const preferText: SchemaRule = {
  id: 'prefer-text',
  area: 'schema',
  severity: 'info',
  summary:
    '`varchar(n)` and `char(n)` bake an arbitrary length into the type (and `char(n)` pads with blanks that comparisons ignore); `text` with a CHECK on the length says why the limit exists and is cheaper to change.',
  check({ catalog, origin }) {
    return designTables(catalog).flatMap((t) =>
      t.columns
        .filter((c) => isBuiltin(c, 'varchar', 'bpchar') && declaredLength(c.typeModifier) !== undefined)
        // A CHECK that reads the column documents the rule the length stands for.
        .filter((c) => constraintsOn(t, c.name, 'check').length === 0)
        .map((c) => {
          const n = declaredLength(c.typeModifier)!;
          const padded = c.typeName === 'bpchar';
          const col = quoteIdent(c.name);
          const table = quoteQualified(t.schema, t.name);
          const check = quoteIdent(truncateIdentifier(`${t.name}_${c.name}_length`));
          return finding(this, {
            message: `Column ${columnName(t, c.name)} is ${c.type}: a length limit with no recorded reason${padded ? ', and blank-padded' : ''}`,
            object: columnName(t, c.name),
            location: columnOrigin(origin, t.schema, t.name, c.name),
            hint: `Use text, with CHECK (char_length(${c.name}) <= ${n}) when the limit is a real rule (name the constraint after the reason).`,
            fix: {
              description: padded
                ? 'Change char(n) to text (rewrites the table under ACCESS EXCLUSIVE, and drops trailing blanks, as char(n) comparisons already ignore them), then state the limit as a CHECK validated without blocking writes'
                : 'Change varchar(n) to text (binary-compatible: no rewrite, a brief ACCESS EXCLUSIVE lock), then state the limit as a CHECK validated without blocking writes',
              sql:
                `ALTER TABLE ${table}\n  ALTER COLUMN ${col} TYPE text,\n  ADD CONSTRAINT ${check} CHECK (char_length(${col}) <= ${n}) NOT VALID;\n` +
                `ALTER TABLE ${table} VALIDATE CONSTRAINT ${check};`,
            },
          });
        }),
    );
  },
};
