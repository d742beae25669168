-- The schema every migration rule case runs against: deployed by an earlier migration, so these
-- tables exist in production and may hold data. Each case is the next migration.
CREATE TYPE order_status AS ENUM ('new', 'paid');
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email varchar(50) NOT NULL,
  name text,
  age int,
  legacy_id int,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE TABLE orders (
  id int PRIMARY KEY,
  user_id bigint,
  status text,
  total numeric(10, 2),
  state order_status,
  note varchar(50),
  code char(8),
  created_at timestamp
);
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;
INSERT INTO users (email, name, age) VALUES ('ada@example.com', 'Ada', 36);
INSERT INTO orders (id, user_id, status, total, state, note, code, created_at) VALUES (1, 1, 'new', 10, 'new', 'first', 'AB12CD34', now());
