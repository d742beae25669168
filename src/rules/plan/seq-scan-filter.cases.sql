-- bad: a filter keeps 0.4% of 50,000 orders: every row is read to find 200
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric NOT NULL);
INSERT INTO orders SELECT g, CASE WHEN g % 250 = 0 THEN 'pending' ELSE 'shipped' END, g % 1000 FROM generate_series(1, 50000) g;
ANALYZE orders;
SELECT id, total FROM orders WHERE status = 'pending'; -- <- here

-- bad: a range filter on an unindexed timestamp
CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamptz NOT NULL, kind text NOT NULL);
INSERT INTO events SELECT g, timestamptz '2024-01-01' + g * interval '1 minute', 'click' FROM generate_series(1, 40000) g;
ANALYZE events;
SELECT count(*) FROM events WHERE happened_at >= timestamptz '2024-01-20' AND happened_at < timestamptz '2024-01-21'; -- <- here

-- good: the partial index the finding proposes turns it into an index scan
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric NOT NULL);
INSERT INTO orders SELECT g, CASE WHEN g % 250 = 0 THEN 'pending' ELSE 'shipped' END, g % 1000 FROM generate_series(1, 50000) g;
CREATE INDEX ON orders (status) WHERE status = 'pending';
ANALYZE orders;
SELECT id, total FROM orders WHERE status = 'pending';

-- good: a small table is read whole, and that is the right plan
CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
INSERT INTO countries SELECT 'c' || g, 'Country ' || g FROM generate_series(1, 300) g;
ANALYZE countries;
SELECT name FROM countries WHERE name = 'Country 7';

-- good: the filter keeps most rows, so a sequential read is the cheapest way
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
INSERT INTO orders SELECT g, CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'shipped' END FROM generate_series(1, 30000) g;
ANALYZE orders;
SELECT id FROM orders WHERE status = 'shipped';

-- bad: a function on the column: the finding proposes an index on the expression
CREATE TABLE visits (id bigint PRIMARY KEY, seen_at timestamp NOT NULL);
INSERT INTO visits SELECT g, timestamp '2024-01-01' + g * interval '10 minutes' FROM generate_series(1, 30000) g;
ANALYZE visits;
SELECT id FROM visits WHERE date(seen_at) = date '2024-03-15'; -- <- here
