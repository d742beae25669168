-- bad: a column of an existing table
ALTER TABLE users RENAME COLUMN name TO full_name; -- <- here

-- bad: written without COLUMN, over several lines
ALTER TABLE orders -- <- here
  RENAME note TO comment;

-- good: a column this migration added
ALTER TABLE orders ADD COLUMN tmp text;
ALTER TABLE orders RENAME COLUMN tmp TO label;

-- good: the table was created earlier in the same migration
CREATE TABLE drafts (id bigint PRIMARY KEY, body text);
ALTER TABLE drafts RENAME COLUMN body TO content;

-- good: renaming a table is rename-table's concern
ALTER TABLE orders RENAME TO purchases;
