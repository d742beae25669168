-- The schema in production today.
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int, status text);
CREATE INDEX orders_status ON orders (status);
