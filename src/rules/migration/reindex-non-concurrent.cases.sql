-- bad: an index of an existing table
REINDEX INDEX orders_user_id_idx; -- <- here

-- bad: every index of an existing table, with options
REINDEX (VERBOSE) TABLE orders; -- <- here

-- bad: before PG 12 there is no concurrent form, still reported {"pgVersion": 11}
REINDEX TABLE users; -- <- here

-- good: rebuilt concurrently {"noTransaction": true}
REINDEX INDEX CONCURRENTLY orders_user_id_idx;
REINDEX (CONCURRENTLY) TABLE users;

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id int);
CREATE INDEX invoices_order_id_idx ON invoices (order_id);
REINDEX TABLE invoices;
REINDEX INDEX invoices_order_id_idx;
