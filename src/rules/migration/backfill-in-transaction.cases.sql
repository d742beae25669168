-- bad: backfill a new column in the same transaction that added it
BEGIN;
ALTER TABLE orders ADD COLUMN currency text;
UPDATE orders SET currency = 'EUR' WHERE currency IS NULL; -- <- here
COMMIT;

-- bad: DDL after the backfill, in a runner-managed transaction {"assumeInTransaction": true}
DELETE FROM users; -- <- here
ALTER TABLE users ADD COLUMN nickname text;

-- bad: a backfill joined to another table reads every row all the same
BEGIN;
ALTER TABLE orders ADD COLUMN customer_email text;
UPDATE orders o SET customer_email = u.email FROM users u WHERE o.user_id = u.id; -- <- here
COMMIT;

-- good: a join that also filters the target by a constant is targeted
BEGIN;
ALTER TABLE orders ADD COLUMN customer_email text;
UPDATE orders o SET customer_email = u.email FROM users u WHERE o.user_id = u.id AND o.id = 1;
COMMIT;

-- good: a join that filters the joined table by a constant is targeted
BEGIN;
ALTER TABLE orders ADD COLUMN customer_email text;
UPDATE orders o SET customer_email = u.email FROM users u WHERE o.user_id = u.id AND u.email = 'ada@example.com';
COMMIT;

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
