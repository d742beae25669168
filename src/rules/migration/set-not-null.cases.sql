-- bad: a nullable column of an existing table
ALTER TABLE users ALTER COLUMN name SET NOT NULL; -- <- here

-- bad: the CHECK was never validated, so it proves nothing
ALTER TABLE orders ADD CONSTRAINT orders_status_not_null CHECK (status IS NOT NULL) NOT VALID;
ALTER TABLE orders ALTER COLUMN status SET NOT NULL; -- <- here

-- bad: a CHECK on another column does not help; the finding is at its clause
ALTER TABLE orders ADD CONSTRAINT orders_note_not_null CHECK (note IS NOT NULL);
ALTER TABLE orders
  ALTER COLUMN status SET NOT NULL; -- <- here

-- bad: each clause of one ALTER TABLE at its own line
ALTER TABLE users
  ALTER COLUMN name SET DEFAULT 'anonymous',
  ALTER COLUMN name SET NOT NULL, -- <- here
  ALTER COLUMN age SET NOT NULL; -- <- also

-- bad: before PG 12 a validated CHECK does not avoid the scan {"pgVersion": 11}
ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null;
ALTER TABLE users ALTER COLUMN name SET NOT NULL; -- <- here

-- good: the recommended sequence: a validated CHECK lets PG 12+ skip the scan
ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_name_not_null;

-- good: a CHECK validated when it was added, with the test as one conjunct
ALTER TABLE orders ADD CONSTRAINT orders_status_known CHECK (status IS NOT NULL AND status <> '');
ALTER TABLE orders ALTER COLUMN status SET NOT NULL;

-- good: the column is NOT NULL already
ALTER TABLE users ALTER COLUMN email SET NOT NULL;

-- good: the table was created earlier in the same migration
CREATE TABLE drafts (id bigint PRIMARY KEY, body text);
ALTER TABLE drafts ALTER COLUMN body SET NOT NULL;
