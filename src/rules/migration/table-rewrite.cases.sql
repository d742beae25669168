-- bad: SET LOGGED/UNLOGGED copies the table
ALTER TABLE orders SET UNLOGGED; -- <- here

-- bad: changing a column's collation rewrites its indexes {"noTransaction": true}
CREATE INDEX CONCURRENTLY users_name_idx ON users (name);
ALTER TABLE users ALTER COLUMN name TYPE text COLLATE "C"; -- <- here

-- good: a new table may be rewritten freely
CREATE TABLE audit (id bigint PRIMARY KEY, at timestamp);
ALTER TABLE audit SET UNLOGGED;

-- good: adding a column with a constant default is a catalog-only change (PG 11+)
ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';

-- bad: a partitioned table is rewritten partition by partition (measured on the partitions)
ALTER TABLE events ALTER COLUMN id TYPE numeric; -- <- here
