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
