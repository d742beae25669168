-- bad: row level security on, and no policy: clients see no rows {"profile": "supabase"}
CREATE TABLE invoices ( -- <- here
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL
);
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;

-- good: row level security with a policy {"profile": "supabase"}
CREATE TABLE documents (id uuid PRIMARY KEY, owner_id uuid NOT NULL);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_select ON documents FOR SELECT TO authenticated USING (owner_id = (select auth.uid()));

-- good: a partition with RLS and no policy is closed to direct access; the parent's policies apply {"profile": "supabase"}
CREATE TABLE readings (id bigint NOT NULL, at timestamptz NOT NULL, owner_id uuid NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
ALTER TABLE readings ENABLE ROW LEVEL SECURITY;
CREATE POLICY readings_select ON readings FOR SELECT TO authenticated USING (owner_id = (select auth.uid()));
CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE readings_2026 ENABLE ROW LEVEL SECURITY;
