-- bad: a column of an existing table
ALTER TABLE users DROP COLUMN legacy_id; -- <- here

-- bad: two columns in one statement, each at its clause
ALTER TABLE orders
  DROP COLUMN note, -- <- here
  DROP COLUMN IF EXISTS code; -- <- also

-- good: DROP COLUMN IF EXISTS of a column that does not exist
ALTER TABLE users DROP COLUMN IF EXISTS nickname;

-- good: a column this migration added
ALTER TABLE orders ADD COLUMN tmp text;
ALTER TABLE orders DROP COLUMN tmp;

-- good: the table was created earlier in the same migration
CREATE TABLE drafts (id bigint PRIMARY KEY, body text);
ALTER TABLE drafts DROP COLUMN body;
