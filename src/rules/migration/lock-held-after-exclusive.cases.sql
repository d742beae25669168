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
