-- bad: sorting 30,000 rows in 64kB of work_mem: an external merge on disk
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL, note text NOT NULL);
INSERT INTO orders SELECT g, (g * 7919) % 10007, 'note ' || g FROM generate_series(1, 30000) g;
ANALYZE orders;
SET work_mem = '64kB';
SELECT id, total, note FROM orders ORDER BY total, note; -- <- here

-- bad: a hash join whose hash table does not fit: several batches on disk
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 30000) g;
INSERT INTO orders SELECT g, 1 + g % 30000, g FROM generate_series(1, 30000) g;
ANALYZE customers, orders;
SET work_mem = '64kB';
SET hash_mem_multiplier = 1;
SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id; -- <- here

-- good: the same sort in the default work_mem stays in memory
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL, note text NOT NULL);
INSERT INTO orders SELECT g, (g * 7919) % 10007, 'note ' || g FROM generate_series(1, 30000) g;
ANALYZE orders;
SET work_mem = '16MB';
SELECT id, total, note FROM orders ORDER BY total, note;
