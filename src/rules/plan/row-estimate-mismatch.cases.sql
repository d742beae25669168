-- bad: statistics taken before the pending orders arrived: the planner expects a handful
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
INSERT INTO orders SELECT g, 'shipped' FROM generate_series(1, 2000) g;
ANALYZE orders;
INSERT INTO orders SELECT g, 'pending' FROM generate_series(2001, 20000) g;
SELECT id FROM orders WHERE status = 'pending'; -- <- here

-- bad: two correlated columns: the planner multiplies their selectivities
CREATE TABLE addresses (id bigint PRIMARY KEY, city int NOT NULL, zip int NOT NULL);
INSERT INTO addresses SELECT g, g % 100, g % 100 FROM generate_series(1, 30000) g;
ANALYZE addresses;
SELECT id FROM addresses WHERE city = 7 AND zip = 7; -- <- here

-- good: fresh statistics
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
INSERT INTO orders SELECT g, 'shipped' FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, 'pending' FROM generate_series(2001, 20000) g;
ANALYZE orders;
SELECT id FROM orders WHERE status = 'pending';

-- good: extended statistics tell the planner the columns move together
CREATE TABLE addresses (id bigint PRIMARY KEY, city int NOT NULL, zip int NOT NULL);
INSERT INTO addresses SELECT g, g % 100, g % 100 FROM generate_series(1, 30000) g;
CREATE STATISTICS addresses_city_zip ON city, zip FROM addresses;
ANALYZE addresses;
SELECT id FROM addresses WHERE city = 7 AND zip = 7;

-- good: a LIMIT stops the scan early, so fewer rows than estimated is expected
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
INSERT INTO orders SELECT g, 'shipped' FROM generate_series(1, 20000) g;
ANALYZE orders;
SELECT id FROM orders WHERE status = 'shipped' LIMIT 5;
