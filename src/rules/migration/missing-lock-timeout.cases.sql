-- bad: ALTER TABLE on an existing table with no lock_timeout
ALTER TABLE users ADD COLUMN nickname text; -- <- here

-- bad: one finding per file outside a transaction, at the first statement, naming the others
ALTER TABLE orders RENAME COLUMN note TO remark; -- <- here
DROP INDEX orders_user_id_idx; -- <- also

-- bad: one finding per transaction: each block needs its own SET
BEGIN;
ALTER TABLE users ADD COLUMN nickname text; -- <- here
ALTER TABLE users ADD COLUMN bio text; -- <- also
COMMIT;
BEGIN;
ALTER TABLE orders ADD COLUMN note2 text; -- <- here
COMMIT;

-- bad: the runner's transaction is one transaction {"assumeInTransaction": true}
ALTER TABLE users ADD COLUMN nickname text; -- <- here
ALTER TABLE orders ADD COLUMN note2 text; -- <- also

-- good: lock_timeout set first
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN nickname text;

-- good: a lock_timeout of 0 is no timeout, but the table is new
SET lock_timeout = 0;
CREATE TABLE audit (id bigint PRIMARY KEY);
ALTER TABLE audit ADD COLUMN at timestamptz;

-- good: CREATE INDEX takes SHARE, not ACCESS EXCLUSIVE (other rules speak to it)
CREATE INDEX orders_status_idx ON orders (status);
