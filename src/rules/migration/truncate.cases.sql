-- bad: TRUNCATE of existing tables, one finding per table
TRUNCATE orders, users; -- <- here

-- bad: DELETE without WHERE, written over several lines
DELETE FROM orders -- <- here
  USING users;

-- good: the table was created earlier in the same migration
CREATE TABLE staging (id int);
INSERT INTO staging VALUES (1);
TRUNCATE staging;
DELETE FROM staging;

-- good: DELETE with a WHERE clause
DELETE FROM orders WHERE status = 'cancelled';
