-- bad: varchar(n) and char(n) without a reason
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name varchar(100) NOT NULL, -- <- here
  country char(2) -- <- here
);

-- bad: a varchar(n) column added later
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
ALTER TABLE notes ADD COLUMN title character varying(200); -- <- here

-- good: text, varchar without a length, and a varchar(n) whose CHECK states the rule
CREATE TABLE products (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  legacy_code varchar,
  sku varchar(12) NOT NULL CONSTRAINT sku_is_ean12 CHECK (sku ~ '^[0-9]{12}$')
);
