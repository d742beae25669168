-- bad: backfill a new column in the same transaction that added it
BEGIN;
ALTER TABLE orders ADD COLUMN currency text;
UPDATE orders SET currency = 'EUR' WHERE currency IS NULL; -- <- here
COMMIT;

-- bad: DDL after the backfill, in a runner-managed transaction {"assumeInTransaction": true}
DELETE FROM users; -- <- here
ALTER TABLE users ADD COLUMN nickname text;

-- good: a targeted UPDATE
BEGIN;
ALTER TABLE orders ADD COLUMN currency text;
UPDATE orders SET currency = 'EUR' WHERE id = 1;
COMMIT;

-- good: the backfill runs in its own transaction
BEGIN;
ALTER TABLE orders ADD COLUMN currency text;
COMMIT;
UPDATE orders SET currency = 'EUR' WHERE currency IS NULL;

-- good: the table is new
BEGIN;
CREATE TABLE audit (id bigint PRIMARY KEY, note text);
UPDATE audit SET note = '';
COMMIT;
