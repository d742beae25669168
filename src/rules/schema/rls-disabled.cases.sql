-- bad: a table in the exposed schema with row level security off {"profile": "supabase"}
CREATE TABLE profiles ( -- <- here
  id uuid PRIMARY KEY,
  display_name text NOT NULL
);

-- bad: a partition queried directly ignores its parent's policies {"profile": "supabase"}
CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, owner_id uuid NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_select ON events FOR SELECT TO authenticated USING (owner_id = (select auth.uid()));
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); -- <- here

-- good: row level security enabled, with a policy {"profile": "supabase"}
CREATE TABLE notes (id uuid PRIMARY KEY, owner_id uuid NOT NULL, body text NOT NULL);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_select ON notes FOR SELECT TO authenticated USING (owner_id = (select auth.uid()));

-- good: a table in a schema clients cannot reach {"profile": "supabase"}
CREATE SCHEMA IF NOT EXISTS private;
CREATE TABLE private.jobs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text);
