// Synthetic but realistic SQL for benchmarks.

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
  const out: string[] = [];
  for (let i = 0; out.length < statements; i++) {
    const phase = Math.floor(i / tables) % phases.length;
    const round = Math.floor(i / (tables * phases.length));
    const n = i % tables;
    out.push(phases[phase](`t_${round}_${n}`, n));
  }
  return `${out.join('\n')}\n`;
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
