-- bad: VACUUM FULL of an existing table
VACUUM FULL orders; -- <- here

-- bad: the parenthesised form, several tables
VACUUM (FULL, ANALYZE) orders, users; -- <- here

-- bad: CLUSTER of an existing table
CLUSTER orders USING orders_pkey; -- <- here

-- bad: VACUUM FULL of the whole database
VACUUM FULL; -- <- here

-- good: plain VACUUM and ANALYZE do not rewrite
VACUUM orders;
VACUUM (FULL false, ANALYZE) users;
ANALYZE orders;

-- good: the table was created earlier in the same migration
CREATE TABLE staging (id int PRIMARY KEY);
VACUUM FULL staging;
CLUSTER staging USING staging_pkey;
