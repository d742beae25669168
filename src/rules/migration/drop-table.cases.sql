-- bad: an existing table
DROP TABLE users; -- <- here

-- bad: several tables with CASCADE (which also drops the order_totals view): only the existing one is reported
CREATE TABLE scratch (id int);
DROP TABLE IF EXISTS scratch, orders CASCADE; -- <- here

-- good: the table was created earlier in the same migration
CREATE TABLE drafts (id bigint PRIMARY KEY);
DROP TABLE drafts;

-- good: a table that does not exist, with IF EXISTS
DROP TABLE IF EXISTS no_such_table;

-- good: dropping a view or an index is not dropping a table
CREATE VIEW recent_orders AS SELECT * FROM orders;
DROP VIEW recent_orders;
