-- bad: ALTER TABLE on an existing table with no lock_timeout
ALTER TABLE users ADD COLUMN nickname text; -- <- here

-- bad: every locking statement without a timeout is reported, wherever it is
ALTER TABLE orders RENAME COLUMN note TO remark; -- <- here
DROP INDEX orders_user_id_idx; -- <- here

-- good: lock_timeout set first
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN nickname text;

-- good: a lock_timeout of 0 is no timeout, but the table is new
SET lock_timeout = 0;
CREATE TABLE audit (id bigint PRIMARY KEY);
ALTER TABLE audit ADD COLUMN at timestamptz;

-- good: CREATE INDEX takes SHARE, not ACCESS EXCLUSIVE (other rules speak to it)
CREATE INDEX orders_status_idx ON orders (status);
