-- bad: the index finds all 2,500 orders of a customer, the filter keeps the few still open
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL);
INSERT INTO orders SELECT g, g % 20, CASE WHEN g % 500 = 0 THEN 'open' ELSE 'closed' END FROM generate_series(1, 50000) g;
CREATE INDEX orders_customer_idx ON orders (customer_id);
ANALYZE orders;
SET enable_seqscan = off;
SELECT id FROM orders WHERE customer_id = 7 AND status = 'open'; -- <- here

-- good: an index on both columns returns only the matching rows
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL);
INSERT INTO orders SELECT g, g % 20, CASE WHEN g % 500 = 0 THEN 'open' ELSE 'closed' END FROM generate_series(1, 50000) g;
CREATE INDEX orders_customer_status_idx ON orders (customer_id, status);
ANALYZE orders;
SET enable_seqscan = off;
SELECT id FROM orders WHERE customer_id = 7 AND status = 'open';
