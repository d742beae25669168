-- bad: 3NF: the customer's name depends on the customer's email, not on the order
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_email text NOT NULL,
  customer_name text NOT NULL, -- <- here
  amount_cents int NOT NULL,
  status text NOT NULL
);
-- 50 customers (some share a name), 500 orders; amounts and statuses vary independently
INSERT INTO orders
SELECT g,
       'customer' || (g * 7919) % 50 || '@example.com',
       'Customer ' || ((g * 7919) % 50) % 40,
       (g * 104729) % 9973,
       (ARRAY['new', 'paid', 'shipped'])[1 + (g * 31) % 3]
FROM generate_series(1, 500) g;

-- bad: a copy of a column of the referenced row (the fix reads it through the foreign key)
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO customers SELECT g, 'Customer ' || g % 40 FROM generate_series(0, 49) g;
CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  customer_name text NOT NULL, -- <- here
  total_cents int NOT NULL
);
CREATE INDEX invoices_customer_id_idx ON invoices (customer_id);
INSERT INTO invoices SELECT g, (g * 7919) % 50, 'Customer ' || ((g * 7919) % 50) % 40, (g * 104729) % 9973 FROM generate_series(1, 500) g;

-- bad: 2NF: the order date depends on part of the key (order_id), not on the whole line
CREATE TABLE order_lines (
  order_id bigint NOT NULL,
  line_no int NOT NULL,
  order_date date NOT NULL, -- <- here
  product_code text NOT NULL,
  quantity int NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
INSERT INTO order_lines
SELECT o, l, date '2026-01-01' + (o * 37) % 60, 'P' || (o * 13 + l * 7) % 40, 1 + (o + l * 5) % 9
FROM generate_series(1, 100) o, generate_series(1, 4) l;

-- bad: two columns together determine a third (each store sets one price per product)
CREATE TABLE sales (
  id bigint PRIMARY KEY,
  store_id int NOT NULL,
  product_id int NOT NULL,
  unit_price_cents int NOT NULL, -- <- here
  quantity int NOT NULL
);
INSERT INTO sales
SELECT g, g % 20, (g / 20) % 20, 100 + 10 * (((g / 20) % 20 * 7 + g % 20 * 3) % 13), 1 + (g * 7919) % 101
FROM generate_series(1, 1200) g;

-- good: independent columns (deterministic pseudo-random values)
CREATE TABLE measurements (
  id bigint PRIMARY KEY,
  sensor text NOT NULL,
  unit text NOT NULL,
  reading int NOT NULL,
  batch int NOT NULL
);
INSERT INTO measurements
SELECT g, 'sensor-' || (g * 7919) % 97, (ARRAY['C', 'F', 'K', 'mV', 'Pa', 'lx', '%'])[1 + (g * 3) % 7], (g * 5) % 11, (g * 2) % 13
FROM generate_series(1, 500) g;

-- good: candidate keys determine every column by definition; that is what a key is
CREATE TABLE members (
  id bigint PRIMARY KEY,
  email text NOT NULL UNIQUE,
  handle text NOT NULL,
  display_name text NOT NULL,
  CONSTRAINT members_handle_key UNIQUE (handle)
);
INSERT INTO members SELECT g, 'm' || g || '@example.com', 'member' || g, 'Member ' || g % 50 FROM generate_series(1, 300) g;

-- good: a generated column is a declared derivation, and an empty table has nothing to learn from
CREATE TABLE prices (
  id bigint PRIMARY KEY,
  net_cents int NOT NULL,
  gross_cents int GENERATED ALWAYS AS (net_cents * 119 / 100) STORED
);
INSERT INTO prices (id, net_cents) SELECT g, 100 * (g % 40) FROM generate_series(1, 400) g;
CREATE TABLE leads (id bigint PRIMARY KEY, email text, name text);
