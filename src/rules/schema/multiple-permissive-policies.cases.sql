-- bad: two permissive SELECT policies for the same role {"profile": "supabase"}
CREATE TABLE articles (id uuid PRIMARY KEY, author_id uuid NOT NULL, published boolean NOT NULL DEFAULT false);
ALTER TABLE articles ENABLE ROW LEVEL SECURITY;
CREATE POLICY articles_own ON articles FOR SELECT TO authenticated USING (author_id = (select auth.uid()));
CREATE POLICY articles_published ON articles FOR SELECT TO authenticated USING (published); -- <- here

-- bad: a FOR ALL policy to PUBLIC overlaps a SELECT policy for authenticated {"profile": "supabase"}
CREATE TABLE files (id uuid PRIMARY KEY, owner_id uuid NOT NULL, shared boolean NOT NULL DEFAULT false);
ALTER TABLE files ENABLE ROW LEVEL SECURITY;
CREATE POLICY files_owner ON files FOR ALL USING (owner_id = (select auth.uid()));
CREATE POLICY files_shared ON files FOR SELECT TO authenticated USING (shared); -- <- here

-- good: one policy per action, and different roles per action {"profile": "supabase"}
CREATE TABLE comments (id uuid PRIMARY KEY, author_id uuid NOT NULL, visible boolean NOT NULL DEFAULT true);
ALTER TABLE comments ENABLE ROW LEVEL SECURITY;
CREATE POLICY comments_select_anon ON comments FOR SELECT TO anon USING (visible);
CREATE POLICY comments_select ON comments FOR SELECT TO authenticated USING (visible OR author_id = (select auth.uid()));
CREATE POLICY comments_insert ON comments FOR INSERT TO authenticated WITH CHECK (author_id = (select auth.uid()));
CREATE POLICY comments_update ON comments FOR UPDATE TO authenticated USING (author_id = (select auth.uid()));
CREATE POLICY comments_delete ON comments FOR DELETE TO authenticated USING (author_id = (select auth.uid()));

-- good: a restrictive policy narrows a permissive one instead of adding to it {"profile": "supabase"}
CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid NOT NULL, archived boolean NOT NULL DEFAULT false);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_select ON orders FOR SELECT TO authenticated USING (customer_id = (select auth.uid()));
CREATE POLICY orders_not_archived ON orders AS RESTRICTIVE FOR SELECT TO authenticated USING (NOT archived);
