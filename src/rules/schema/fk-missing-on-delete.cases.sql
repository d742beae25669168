-- bad: the parent key is part of the child's primary key
CREATE TABLE invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE invoice_lines (
  invoice_id bigint REFERENCES invoices (id), -- <- here
  line_no int,
  PRIMARY KEY (invoice_id, line_no)
);

-- bad: the child is named after its parent and cannot exist without one
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE order_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id bigint NOT NULL,
  CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) -- <- here
);

-- good: an explicit action, a reference to an independent table, an optional reference, a tree
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE carts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE cart_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cart_id bigint NOT NULL REFERENCES carts (id) ON DELETE CASCADE
);
CREATE TABLE customer_notes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint REFERENCES customers (id)
);
CREATE TABLE shipments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id)
);
CREATE TABLE categories (id bigint PRIMARY KEY, parent_id bigint REFERENCES categories (id));
