-- bad: an index on an existing table
CREATE INDEX orders_status_idx ON orders (status); -- <- here

-- bad: a unique index on an existing table, written over several lines
CREATE UNIQUE INDEX users_email_idx -- <- here
  ON users (lower(email));

-- good: built concurrently {"noTransaction": true}
CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id int);
CREATE INDEX invoices_order_id_idx ON invoices (order_id);

-- good: the materialized view was created earlier in the same migration: nobody reads it yet
CREATE MATERIALIZED VIEW order_status_counts AS SELECT status, count(*) AS n FROM orders GROUP BY status;
CREATE UNIQUE INDEX order_status_counts_status_idx ON order_status_counts (status);
