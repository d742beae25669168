-- bad: a slow statement after the exclusive lock, in the same transaction
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
UPDATE orders SET status = 'new' WHERE status IS NULL; -- <- here
COMMIT;

-- bad: the runner wraps the migration in a transaction {"assumeInTransaction": true}
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';
CREATE INDEX orders_status_idx ON orders (status); -- <- here
ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';

-- good: the locking statement is last in its transaction
BEGIN;
UPDATE orders SET status = 'new' WHERE status IS NULL;
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;

-- good: no transaction: each statement commits on its own
ALTER TABLE users ADD COLUMN nickname2 text;
UPDATE orders SET status = 'new' WHERE status IS NULL;

-- good: the locked table is new
BEGIN;
CREATE TABLE audit (id bigint PRIMARY KEY);
ALTER TABLE audit ADD COLUMN at timestamptz;
INSERT INTO audit (id) VALUES (1);
COMMIT;

-- good: only quick catalog changes of the same table follow the lock: they add nothing to its hold
BEGIN;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_nickname_key;
ALTER TABLE users DROP COLUMN IF EXISTS nickname;
ALTER TABLE users ADD COLUMN nickname text NOT NULL DEFAULT '';
ALTER TABLE users ADD CONSTRAINT users_nickname_length CHECK (char_length(nickname) < 64) NOT VALID;
COMMENT ON COLUMN users.nickname IS 'shown in the UI';
COMMIT;

-- bad: quick changes first, then one that scans the locked table
BEGIN;
ALTER TABLE users ADD COLUMN handle text;
ALTER TABLE users ALTER COLUMN handle SET DEFAULT '';
UPDATE users SET handle = '' WHERE handle IS NULL; -- <- here
COMMIT;

-- bad: a serial column is filled row by row: the table is rewritten under the lock
BEGIN;
ALTER TABLE users ADD COLUMN rank_note text;
ALTER TABLE users ADD COLUMN rank serial; -- <- here
COMMIT;

-- bad: the next statement waits for another table's lock while this one stays blocked
BEGIN;
ALTER TABLE users ADD COLUMN score int;
ALTER TABLE orders ADD COLUMN score int; -- <- here
COMMIT;

-- bad: renamed, the same table under its new name is still the locked one; the index build extends the hold
BEGIN;
ALTER TABLE orders RENAME TO purchases;
ALTER TABLE purchases ADD COLUMN channel text;
CREATE INDEX purchases_channel_idx ON purchases (channel); -- <- here
COMMIT;

-- good: the locked view is new: created earlier in the same migration, nobody uses it yet
BEGIN;
CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';
DROP VIEW open_orders;
CREATE VIEW open_orders AS SELECT id, status, total FROM orders WHERE status = 'open';
UPDATE orders SET status = 'new' WHERE status IS NULL;
COMMIT;
