-- bad: a NOT NULL column of an existing table
ALTER TABLE users ALTER COLUMN email DROP NOT NULL; -- <- here

-- bad: an existing partitioned table, at the clause
ALTER TABLE events
  ALTER COLUMN at DROP NOT NULL; -- <- here

-- good: the column is nullable already
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;

-- good: a column this migration added
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR';
ALTER TABLE orders ALTER COLUMN currency DROP NOT NULL;

-- good: the table was created earlier in the same migration
CREATE TABLE drafts (id bigint PRIMARY KEY, body text NOT NULL);
ALTER TABLE drafts ALTER COLUMN body DROP NOT NULL;
