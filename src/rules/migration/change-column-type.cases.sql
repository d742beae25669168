-- bad: int -> bigint is not binary-coercible: the table and its primary key are rewritten
ALTER TABLE orders ALTER COLUMN id TYPE bigint; -- <- here

-- bad: a shorter varchar limit checks and rewrites every row
ALTER TABLE orders ALTER COLUMN note TYPE varchar(20); -- <- here

-- bad: text -> varchar(n) checks every value against the limit
ALTER TABLE orders ALTER COLUMN status TYPE varchar(20); -- <- here

-- bad: int -> text, and a USING expression, in one statement
ALTER TABLE users
  ALTER COLUMN legacy_id TYPE text, -- <- here
  ALTER COLUMN name TYPE int USING length(name); -- <- also

-- bad: a new numeric scale rewrites every value
DROP MATERIALIZED VIEW order_totals;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 4); -- <- here

-- bad: char(n) -> char(m) pads every value again
ALTER TABLE orders ALTER COLUMN code TYPE char(10); -- <- here

-- bad: an enum -> text, measured by running it
ALTER TABLE orders ALTER COLUMN state TYPE text; -- <- here

-- bad: a domain with a CHECK, measured by running it
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
ALTER TABLE users ALTER COLUMN age TYPE positive_int; -- <- here

-- bad: timestamp -> timestamptz rewrites unless the session TimeZone is UTC
ALTER TABLE orders ALTER COLUMN created_at TYPE timestamptz; -- <- here

-- good: the migration sets the session TimeZone to UTC first: PG 12+ reuses the bytes (as trace measures)
SET TimeZone = 'UTC';
ALTER TABLE orders ALTER COLUMN created_at TYPE timestamptz;

-- good: SET LOCAL TIME ZONE in the same transaction
BEGIN;
SET LOCAL TIME ZONE 'Etc/UTC';
ALTER TABLE orders ALTER COLUMN created_at TYPE timestamptz;
COMMIT;

-- bad: a zone with an offset does not help
SET TimeZone = 'Europe/Berlin';
ALTER TABLE orders ALTER COLUMN created_at TYPE timestamptz; -- <- here

-- bad: SET LOCAL ended with its transaction
BEGIN;
SET LOCAL TimeZone = 'UTC';
COMMIT;
ALTER TABLE orders ALTER COLUMN created_at TYPE timestamptz; -- <- here

-- bad: before PG 12 timestamp -> timestamptz always rewrites {"pgVersion": 11}
ALTER TABLE orders ALTER COLUMN created_at TYPE timestamp with time zone; -- <- here

-- bad: every partition of a partitioned table is rewritten
ALTER TABLE events ALTER COLUMN id TYPE numeric; -- <- here

-- good: a longer varchar limit is binary-coercible (PG 9.1+)
ALTER TABLE orders ALTER COLUMN note TYPE varchar(100);

-- good: varchar(n) -> text and text -> unbounded varchar reuse the bytes
ALTER TABLE users ALTER COLUMN email TYPE text;
ALTER TABLE orders ALTER COLUMN status TYPE character varying;

-- good: more numeric precision at the same scale, or no limit (PG 9.2+)
DROP MATERIALIZED VIEW order_totals;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);
ALTER TABLE orders ALTER COLUMN total TYPE numeric;

-- good: the same type, a trivial USING, more timestamp precision
ALTER TABLE orders ALTER COLUMN id TYPE integer USING id::integer;
ALTER TABLE orders ALTER COLUMN created_at TYPE timestamp(6);

-- good: a domain without constraints, measured by running it
CREATE DOMAIN status_text AS text;
ALTER TABLE orders ALTER COLUMN status TYPE status_text;

-- good: the measured rewrite comes from the identity column (add-column-serial), not the domain
CREATE DOMAIN label_text AS text;
ALTER TABLE orders
  ALTER COLUMN status TYPE label_text,
  ADD COLUMN line_no bigint GENERATED ALWAYS AS IDENTITY;

-- good: cidr -> inet is binary-coercible (on a column this migration added)
ALTER TABLE orders ADD COLUMN net cidr;
ALTER TABLE orders ALTER COLUMN net TYPE inet;

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE invoices (id int PRIMARY KEY, amount numeric(10, 2));
ALTER TABLE invoices ALTER COLUMN id TYPE bigint, ALTER COLUMN amount TYPE numeric(12, 4);
