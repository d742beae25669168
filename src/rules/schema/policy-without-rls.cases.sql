-- bad: policies written, row level security never enabled
CREATE TABLE messages ( -- <- here
  id uuid PRIMARY KEY,
  sender_id uuid NOT NULL
);
CREATE POLICY messages_select ON messages FOR SELECT TO authenticated USING (sender_id = (select auth.uid()));

-- bad: row level security turned off again later
CREATE TABLE tickets (id uuid PRIMARY KEY, owner_id uuid NOT NULL); -- <- here
ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tickets_select ON tickets FOR SELECT TO authenticated USING (owner_id = (select auth.uid()));
ALTER TABLE tickets DISABLE ROW LEVEL SECURITY;

-- good: policies on a table with row level security
CREATE TABLE reports (id uuid PRIMARY KEY, owner_id uuid NOT NULL);
ALTER TABLE reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY reports_select ON reports FOR SELECT TO authenticated USING (owner_id = (select auth.uid()));
