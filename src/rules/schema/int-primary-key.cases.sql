-- bad: integer keys (identity and serial), and a foreign key column of the same width
CREATE TABLE users (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- <- here
  email text NOT NULL
);
CREATE TABLE posts (
  id serial PRIMARY KEY, -- <- here
  author_id int NOT NULL REFERENCES users (id) -- <- here
);

-- bad: a smallint key declared as a table constraint
CREATE TABLE regions (
  code smallint, -- <- here
  name text NOT NULL,
  PRIMARY KEY (code)
);

-- good: bigint and uuid keys; a composite key with a small ordinal
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE order_lines (
  order_id bigint REFERENCES orders (id) ON DELETE CASCADE,
  line_no int,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE tokens (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
