-- bad: BEGIN inside an open transaction
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
BEGIN; -- <- here
ALTER TABLE users ADD COLUMN bio text;
COMMIT;

-- bad: BEGIN in a migration the runner already wraps {"assumeInTransaction": true}
BEGIN; -- <- here
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;

-- bad: BEGIN without COMMIT
BEGIN; -- <- here
ALTER TABLE users ADD COLUMN nickname text;

-- good: one transaction, committed
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;

-- good: two transactions one after the other
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;
BEGIN;
ALTER TABLE users ADD COLUMN bio text;
COMMIT;
