-- bad: auth.uid() compared with a column runs once per row {"profile": "supabase"}
CREATE TABLE todos (id uuid PRIMARY KEY, user_id uuid NOT NULL, done boolean NOT NULL DEFAULT false);
ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY todos_select ON todos FOR SELECT TO authenticated -- <- here
  USING (user_id = auth.uid());

-- bad: current_setting() and auth.jwt() in WITH CHECK {"profile": "supabase"}
CREATE TABLE tenant_rows (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
ALTER TABLE tenant_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows_insert ON tenant_rows FOR INSERT TO authenticated -- <- here
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true)::uuid AND auth.jwt() ->> 'role' = 'member');

-- bad: inside a subquery that reads a table, auth.uid() still runs for each row it reads {"profile": "supabase"}
CREATE TABLE members (team_id uuid NOT NULL, user_id uuid NOT NULL, PRIMARY KEY (team_id, user_id));
CREATE TABLE boards (id uuid PRIMARY KEY, team_id uuid NOT NULL);
ALTER TABLE boards ENABLE ROW LEVEL SECURITY;
CREATE POLICY boards_select ON boards FOR SELECT TO authenticated USING ( -- <- here
  team_id IN (SELECT m.team_id FROM members m WHERE m.user_id = auth.uid())
);

-- good: the calls wrapped in (select …) run once per statement {"profile": "supabase"}
CREATE TABLE posts (id uuid PRIMARY KEY, author_id uuid NOT NULL, team_id uuid NOT NULL);
CREATE TABLE post_editors (team_id uuid NOT NULL, user_id uuid NOT NULL, PRIMARY KEY (team_id, user_id));
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY posts_select ON posts FOR SELECT TO authenticated
  USING (author_id = (select auth.uid()) OR (select auth.jwt()) ->> 'role' = 'admin');
CREATE POLICY posts_update ON posts FOR UPDATE TO authenticated
  USING (team_id IN (SELECT e.team_id FROM post_editors e WHERE e.user_id = (select auth.uid())))
  WITH CHECK (team_id IN (SELECT e.team_id FROM post_editors e WHERE e.user_id = (select auth.uid())));
