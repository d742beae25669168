-- bad: a stored generated column on an existing table
ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED; -- <- here

-- bad: over several lines, next to a harmless column
ALTER TABLE users
  ADD COLUMN nickname text,
  ADD COLUMN email_domain text -- <- here
    GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED;

-- good: a plain nullable column
ALTER TABLE orders ADD COLUMN total_cents bigint;

-- good: a generated column in a new table
CREATE TABLE prices (amount numeric NOT NULL, amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED);

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE items (price numeric, quantity int);
ALTER TABLE items ADD COLUMN amount numeric GENERATED ALWAYS AS (price * quantity) STORED;

-- (PG 18 VIRTUAL generated columns are not reported either, but PG 15 cannot run them, so no case here.)
