// Synthetic but realistic SQL for benchmarks.

/** Each phase over every table in turn, in rounds (tables `<prefix>_<round>_<n>`), until `statements` are written. */
function inPhases(statements: number, tables: number, phases: Array<(t: string, n: number) => string>, prefix: string): string {
  const out: string[] = [];
  for (let i = 0; out.length < statements; i++) {
    const phase = Math.floor(i / tables) % phases.length;
    const round = Math.floor(i / (tables * phases.length));
    const n = i % tables;
    out.push(phases[phase](`${prefix}_${round}_${n}`, n));
  }
  return `${out.join('\n')}\n`;
}

/** Mixed CREATE / ALTER / INDEX / UPDATE / INSERT / COMMENT over `tables` tables, valid in order. */
export function generateMigrationSql(statements: number, tables = Math.max(1, Math.floor(statements / 10))): string {
  // Ten phases over every table, so each statement is valid after the ones before it.
  const phases: Array<(t: string, n: number) => string> = [
    (t) => `CREATE TABLE ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  owner_id bigint,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`,
    (t) => `ALTER TABLE ${t} ADD COLUMN status text DEFAULT 'new';`,
    (t) => `CREATE INDEX ${t}_owner_idx ON ${t} (owner_id) WHERE status <> 'done';`,
    (t) => `UPDATE ${t} SET status = 'done' WHERE created_at < now() - interval '1 day';`,
    (t, n) => `COMMENT ON TABLE ${t} IS 'table number ${n}; holds $$ and ''quotes''';`,
    (t) => `ALTER TABLE ${t} ADD COLUMN note varchar(50);`,
    (t) => `CREATE INDEX ${t}_created_idx ON ${t} (created_at);`,
    (t) => `ALTER TABLE ${t} ALTER COLUMN note TYPE varchar(100);`,
    (t) => `INSERT INTO ${t} (owner_id, name) VALUES (1, 'first');`,
    (t) => `ALTER TABLE ${t} ALTER COLUMN status SET DEFAULT 'pending';`,
  ];
  return inPhases(statements, tables, phases, 't');
}

/** A schema of `tables` tables with FKs, indexes and comments, for catalog benchmarks. */
export function generateSchemaSql(tables: number): string {
  const out: string[] = [];
  for (let i = 0; i < tables; i++) {
    const ref = i > 0 ? `,\n  parent_id bigint REFERENCES t_${i - 1} (id)` : '';
    out.push(`CREATE TABLE t_${i} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL,\n  status text CHECK (status IN ('a', 'b')),\n  created_at timestamptz NOT NULL DEFAULT now()${ref}\n);`);
    out.push(`CREATE INDEX t_${i}_created_idx ON t_${i} (created_at);`);
    out.push(`COMMENT ON TABLE t_${i} IS 'table ${i}';`);
  }
  return out.join('\n');
}

/**
 * A migrations directory the way an application accumulates one: the first files create tables
 * (with foreign keys, checks, comments), later files evolve them — add columns, indexes (some
 * CONCURRENTLY), foreign keys, NOT NULL, backfills, renames, type changes, views and functions.
 * Returns file name → SQL text.
 */
export function generateMigrationDir(files: number, targetLines: number): Map<string, string> {
  const out = new Map<string, string>();
  const tables: string[] = [];
  const linesPerFile = Math.max(8, Math.round(targetLines / files));
  for (let f = 1; f <= files; f++) {
    const stamp = `2024${String(Math.floor(f / 28) % 12 + 1).padStart(2, '0')}${String((f % 28) + 1).padStart(2, '0')}${String(100000 + f).slice(1)}`;
    const parts: string[] = [`-- Migration ${f}: generated from common application patterns`, ''];
    let lines = 2;
    let k = 0;
    while (lines < linesPerFile) {
      const make = tables.length < 12 || (f <= files / 3 && k === 0);
      let sql: string;
      if (make) {
        const t = `entity_${tables.length}`;
        const ref = tables.length ? `,\n  ${tables[tables.length - 1]}_id bigint REFERENCES ${tables[tables.length - 1]} (id) ON DELETE CASCADE` : '';
        sql = `CREATE TABLE ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL,\n  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),\n  payload jsonb NOT NULL DEFAULT '{}',\n  created_at timestamptz NOT NULL DEFAULT now(),\n  updated_at timestamptz NOT NULL DEFAULT now()${ref}\n);\nCREATE INDEX ${t}_created_at_idx ON ${t} (created_at);\nCOMMENT ON TABLE ${t} IS 'Entity ${tables.length}';`;
        tables.push(t);
      } else {
        const t = tables[(f * 7 + k * 13) % tables.length];
        const c = `c_${f}_${k}`;
        switch ((f + k) % 9) {
          case 0:
            sql = `ALTER TABLE ${t} ADD COLUMN ${c} text;`;
            break;
          case 1:
            sql = `ALTER TABLE ${t} ADD COLUMN ${c} integer NOT NULL DEFAULT 0;\nCREATE INDEX ${t}_${c}_idx ON ${t} (${c});`;
            break;
          case 2:
            sql = `-- pgarch-ignore create-index-non-concurrent (small lookup table)\nCREATE INDEX ${t}_${c}_idx ON ${t} (status, created_at);`;
            break;
          case 3:
            sql = `SET lock_timeout = '5s';\nALTER TABLE ${t} ADD COLUMN ${c} varchar(50);\nALTER TABLE ${t} ALTER COLUMN ${c} TYPE varchar(100);`;
            break;
          case 4:
            sql = `ALTER TABLE ${t} ADD COLUMN ${c} bigint;\nUPDATE ${t} SET ${c} = id WHERE ${c} IS NULL;\nALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`;
            break;
          case 5:
            sql = `ALTER TABLE ${t} ADD COLUMN ${c} text;\nALTER TABLE ${t} RENAME COLUMN ${c} TO ${c}_renamed;`;
            break;
          case 6:
            sql = `CREATE OR REPLACE VIEW ${t}_active_${f}_${k} AS\n  SELECT id, name, created_at\n  FROM ${t}\n  WHERE status = 'active';`;
            break;
          case 7:
            sql = `CREATE OR REPLACE FUNCTION ${t}_touch_${f}_${k}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND $$;`;
            break;
          default:
            sql = `ALTER TABLE ${t} ADD COLUMN ${c} integer;\nALTER TABLE ${t} ALTER COLUMN ${c} TYPE bigint;`;
        }
      }
      parts.push(sql, '');
      lines += sql.split('\n').length + 1;
      k++;
    }
    out.set(`${stamp}_migration_${f}.sql`, parts.join('\n'));
  }
  return out;
}

/**
 * One DDL-heavy migration of `statements` statements over `tables` tables, valid in order: each table
 * is created, then altered, filled, indexed, constrained, retyped and renamed, in rounds — the shape of
 * a long history squashed into one file.
 */
export function generateDdlHeavySql(statements: number, tables = Math.max(1, Math.floor(statements / 12))): string {
  const phases: Array<(t: string, n: number) => string> = [
    (t) => `CREATE TABLE ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  account_id bigint NOT NULL,\n  title text NOT NULL,\n  amount integer NOT NULL DEFAULT 0,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`,
    (t) => `ALTER TABLE ${t} ADD COLUMN state text NOT NULL DEFAULT 'open';`,
    (t, n) => `INSERT INTO ${t} (account_id, title, amount) SELECT g, 'row ' || g, g * ${n % 7} FROM generate_series(1, 20) AS g;`,
    (t) => `CREATE INDEX ${t}_account_idx ON ${t} (account_id, created_at);`,
    (t) => `ALTER TABLE ${t} ADD CONSTRAINT ${t}_amount_check CHECK (amount >= 0) NOT VALID;`,
    (t) => `ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_amount_check;`,
    (t) => `ALTER TABLE ${t} ALTER COLUMN amount TYPE bigint;`,
    (t) => `UPDATE ${t} SET state = 'closed' WHERE amount > 10;`,
    (t) => `ALTER TABLE ${t} RENAME COLUMN title TO name;`,
    (t) => `CREATE UNIQUE INDEX ${t}_name_key ON ${t} (name, account_id);`,
    (t) => `ALTER TABLE ${t} ALTER COLUMN state SET DEFAULT 'pending';`,
    (t) => `ALTER TABLE ${t} RENAME TO ${t}_v2;`,
  ];
  return inPhases(statements, tables, phases, 'd');
}
