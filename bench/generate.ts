// Synthetic but realistic migration SQL for benchmarks: mixed CREATE / ALTER / INDEX / UPDATE over many tables.
export function generateMigrationSql(statements: number, tables = Math.max(1, Math.floor(statements / 10))): string {
  const out: string[] = [];
  for (let i = 0; out.length < statements; i++) {
    const t = `t_${i % tables}`;
    switch (Math.floor(i / tables) % 5) {
      case 0:
        out.push(`CREATE TABLE ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  owner_id bigint,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`);
        break;
      case 1:
        out.push(`ALTER TABLE ${t} ADD COLUMN status text DEFAULT 'new';`);
        break;
      case 2:
        out.push(`CREATE INDEX ${t}_owner_idx ON ${t} (owner_id) WHERE status <> 'done';`);
        break;
      case 3:
        out.push(`UPDATE ${t} SET status = 'done' WHERE created_at < now() - interval '1 day';`);
        break;
      default:
        out.push(`COMMENT ON TABLE ${t} IS 'table number ${i % tables}; holds $$ and ''quotes''';`);
    }
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
