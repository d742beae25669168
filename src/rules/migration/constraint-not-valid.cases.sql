-- bad: a foreign key on an existing table
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id); -- <- here

-- bad: an unnamed CHECK, one of several subcommands: the finding lands on the constraint
ALTER TABLE orders
  ADD COLUMN discount numeric,
  ADD CHECK (total >= 0); -- <- here

-- bad: a foreign key on a partitioned table, which cannot be NOT VALID before PG 18 {"pgVersion": 15}
ALTER TABLE events ADD FOREIGN KEY (id) REFERENCES users (id); -- <- here

-- good: added NOT VALID, validated in a later transaction
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE payments (id bigint PRIMARY KEY, order_id int, amount numeric);
ALTER TABLE payments ADD FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE payments ADD CHECK (amount > 0);

-- good: a foreign key declared inside CREATE TABLE
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id int REFERENCES orders (id), CHECK (id > 0));

-- good: VALIDATE CONSTRAINT itself does not block writes
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
