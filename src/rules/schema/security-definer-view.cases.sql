-- bad: a plain view runs as its owner and bypasses the table's policies {"profile": "supabase"}
CREATE TABLE accounts (id uuid PRIMARY KEY, owner_id uuid NOT NULL, balance numeric NOT NULL);
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_select ON accounts FOR SELECT TO authenticated USING (owner_id = (select auth.uid()));
CREATE VIEW account_balances AS SELECT id, balance FROM accounts; -- <- here

-- bad: security_invoker explicitly off {"profile": "supabase"}
CREATE TABLE leads (id uuid PRIMARY KEY, email text NOT NULL);
CREATE VIEW lead_emails WITH (security_invoker = false) AS SELECT email FROM leads; -- <- here

-- good: the view checks permissions and policies as the caller (PG 15+) {"profile": "supabase"}
CREATE TABLE contacts (id uuid PRIMARY KEY, owner_id uuid NOT NULL, phone text);
CREATE VIEW contact_phones WITH (security_invoker = true) AS SELECT id, phone FROM contacts;
CREATE VIEW contact_ids WITH (security_invoker) AS SELECT id FROM contacts;

-- good: a view in a schema clients cannot reach {"profile": "supabase"}
CREATE TABLE payouts (id uuid PRIMARY KEY, amount numeric NOT NULL);
CREATE SCHEMA IF NOT EXISTS reporting;
CREATE VIEW reporting.payout_totals AS SELECT sum(amount) AS total FROM payouts;
