-- bad: a unique constraint on an existing table
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email); -- <- here

-- bad: an unnamed unique constraint, as the second subcommand
ALTER TABLE orders
  ADD COLUMN reference text,
  ADD UNIQUE (code, note); -- <- here

-- bad: a primary key that includes a nullable column
ALTER TABLE orders DROP CONSTRAINT orders_pkey;
ALTER TABLE orders ADD PRIMARY KEY (id, code); -- <- here

-- bad: a unique constraint on a partitioned table
ALTER TABLE events ADD UNIQUE (id, at); -- <- here

-- good: the index was built concurrently and is attached with USING INDEX {"noTransaction": true}
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE coupons (id bigint, code text);
ALTER TABLE coupons ADD PRIMARY KEY (id);
ALTER TABLE coupons ADD UNIQUE (code);

-- good: a unique constraint declared inside CREATE TABLE
CREATE TABLE tags (id bigint PRIMARY KEY, name text UNIQUE);
