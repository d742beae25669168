-- bad: inline REFERENCES without an index
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) -- <- here
);

-- bad: table-level composite FOREIGN KEY whose columns are not leading in the only index
CREATE TABLE shelves (store_id int, shelf_no int, PRIMARY KEY (store_id, shelf_no));
CREATE TABLE items (
  id bigint PRIMARY KEY,
  store_id int,
  shelf_no int,
  FOREIGN KEY (store_id, shelf_no) REFERENCES shelves (store_id, shelf_no) -- <- here
);
CREATE INDEX items_shelf_no_idx ON items (shelf_no, store_id, id) WHERE id > 0;

-- bad: foreign key added later with ALTER TABLE
CREATE TABLE authors (id bigint PRIMARY KEY);
CREATE TABLE books (id bigint PRIMARY KEY, author_id bigint);
ALTER TABLE books ADD CONSTRAINT books_author_fk FOREIGN KEY (author_id) REFERENCES authors (id); -- <- here

-- good: the foreign key column has its own index
CREATE TABLE teams (id bigint PRIMARY KEY);
CREATE TABLE players (id bigint PRIMARY KEY, team_id bigint REFERENCES teams (id));
CREATE INDEX players_team_id_idx ON players (team_id);

-- good: the foreign key is the leading column of the primary key
CREATE TABLE carts (id bigint PRIMARY KEY);
CREATE TABLE cart_lines (
  cart_id bigint REFERENCES carts (id) ON DELETE CASCADE,
  line_no int,
  PRIMARY KEY (cart_id, line_no)
);

-- good: composite key served by an index with the columns in another order
CREATE TABLE bins (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE parts (id bigint PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES bins (a, b));
CREATE INDEX parts_b_a_idx ON parts (b, a);
