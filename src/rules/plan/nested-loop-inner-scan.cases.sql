-- bad: without an index on the join column, each of 500 orders rescans the customers
CREATE TABLE customers (id bigint NOT NULL, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, 1 + g % 2000 FROM generate_series(1, 500) g;
ANALYZE customers, orders;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id; -- <- here

-- good: with the index, each loop is one lookup
CREATE TABLE customers (id bigint NOT NULL, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, 1 + g % 2000 FROM generate_series(1, 500) g;
CREATE INDEX ON customers (id);
ANALYZE customers, orders;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id;

-- good: a nested loop over a handful of rows is fine
CREATE TABLE customers (id bigint NOT NULL, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 20) g;
INSERT INTO orders SELECT g, 1 + g % 20 FROM generate_series(1, 5) g;
ANALYZE customers, orders;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id;
