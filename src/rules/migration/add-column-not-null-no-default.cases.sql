-- bad: the existing table holds rows: the statement fails (emptied first here, so that it runs)
DELETE FROM orders;
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL; -- <- here

-- bad: an existing partitioned table, over several lines
ALTER TABLE events
  ADD COLUMN source text NOT NULL, -- <- here
  ADD COLUMN note text;

-- bad: DEFAULT NULL is no default
ALTER TABLE events ADD COLUMN kind text DEFAULT NULL NOT NULL; -- <- here

-- bad: a primary key column is NOT NULL too
DELETE FROM users;
ALTER TABLE users DROP CONSTRAINT users_pkey;
ALTER TABLE users ADD COLUMN uid bigint PRIMARY KEY; -- <- here

-- good: the transaction emptied the table first, so no row can lack the value
BEGIN;
TRUNCATE orders CASCADE;
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL;
COMMIT;

-- good: DELETE without WHERE in the runner's transaction {"assumeInTransaction": true}
DELETE FROM orders;
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL;

-- bad: emptied in an earlier transaction: rows may have come back since
BEGIN;
TRUNCATE orders CASCADE;
COMMIT;
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL; -- <- here

-- good: a constant default fills existing rows (catalog-only since PG 11)
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR';

-- good: nullable column
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;

-- good: identity columns fill every row themselves
ALTER TABLE orders ADD COLUMN line_no bigint NOT NULL GENERATED ALWAYS AS IDENTITY;

-- good: serial columns fill every row themselves
ALTER TABLE users ADD COLUMN seq serial NOT NULL;

-- good: generated columns compute every row themselves
ALTER TABLE orders ADD COLUMN total_cents bigint NOT NULL GENERATED ALWAYS AS ((total * 100)::bigint) STORED;

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE invoices (id bigint PRIMARY KEY);
ALTER TABLE invoices ADD COLUMN number text NOT NULL;
