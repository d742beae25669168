-- bad: an index of an existing table
DROP INDEX orders_user_id_idx; -- <- here

-- bad: several indexes at once, written over several lines
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
DROP INDEX IF EXISTS -- <- here
  orders_user_id_idx, orders_status_idx;

-- good: dropped concurrently {"noTransaction": true}
DROP INDEX CONCURRENTLY orders_user_id_idx;

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id int);
CREATE INDEX invoices_order_id_idx ON invoices (order_id);
DROP INDEX invoices_order_id_idx;

-- good: an index that does not exist, with IF EXISTS
DROP INDEX IF EXISTS no_such_idx;
