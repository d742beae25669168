-- The schema wanted: name renamed to full_name, total as numeric, a foreign key, NOT NULL email,
-- a new index and a new unique column.
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, full_name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, total numeric(12,2), status text, code text UNIQUE);
CREATE INDEX orders_user ON orders (user_id);
