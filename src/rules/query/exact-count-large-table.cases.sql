-- bad: an exact count of a table assumed to hold five million rows {"assumeRows": {"orders": 5000000}}
SELECT count(*) FROM orders; -- <- here

-- bad: a partitioned table: the estimate sums its partitions {"assumeRows": {"events": 2000000}}
CREATE TABLE events (id bigint NOT NULL, happened_at timestamptz NOT NULL) PARTITION BY RANGE (happened_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
SELECT count(*) AS total FROM events; -- <- here

-- bad: the size from --assume-rows alone {"catalog": false, "assumeRows": {"orders": 5000000}}
SELECT count(1) AS total FROM orders; -- <- here

-- good: no statistics and no --assume-rows: the size is unknown
SELECT count(*) FROM orders;

-- good: a small table {"assumeRows": {"orders": 500}}
SELECT count(*) FROM orders;

-- good: a filtered count is served by an index {"assumeRows": {"orders": 5000000}}
SELECT count(*) FROM orders WHERE customer_id = 42;
