-- bad: anyone may insert any row
CREATE TABLE feedback (id uuid PRIMARY KEY, author_id uuid, body text NOT NULL);
ALTER TABLE feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY feedback_insert ON feedback FOR INSERT TO anon, authenticated WITH CHECK (true); -- <- here

-- bad: a FOR ALL policy that is always true opens writes too
CREATE TABLE settings (id uuid PRIMARY KEY, value text NOT NULL);
ALTER TABLE settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY settings_all ON settings -- <- here
  FOR ALL TO authenticated USING (true);

-- good: public read is a legitimate use of USING (true)
CREATE TABLE products (id uuid PRIMARY KEY, title text NOT NULL);
ALTER TABLE products ENABLE ROW LEVEL SECURITY;
CREATE POLICY products_read ON products FOR SELECT TO anon, authenticated USING (true);

-- good: writes restricted to the row's owner
CREATE TABLE wishlists (id uuid PRIMARY KEY, owner_id uuid NOT NULL);
ALTER TABLE wishlists ENABLE ROW LEVEL SECURITY;
CREATE POLICY wishlists_insert ON wishlists FOR INSERT TO authenticated WITH CHECK (owner_id = (select auth.uid()));
CREATE POLICY wishlists_update ON wishlists FOR UPDATE TO authenticated USING (owner_id = (select auth.uid())) WITH CHECK (owner_id = (select auth.uid()));
