-- bad: a view filters on a jsonb key that no index covers
CREATE TABLE events (
  id bigint PRIMARY KEY,
  payload jsonb NOT NULL -- <- here
);
CREATE VIEW signups AS SELECT id, payload ->> 'email' AS email FROM events WHERE payload ->> 'type' = 'signup';

-- bad: a containment filter without a GIN index, a nested key compared as a number, and key existence that jsonb_path_ops cannot answer
CREATE TABLE products (
  id bigint PRIMARY KEY,
  attributes jsonb, -- <- here
  shipping jsonb, -- <- here
  promo jsonb -- <- here
);
CREATE INDEX products_promo_idx ON products USING gin (promo jsonb_path_ops);
CREATE VIEW red_products AS SELECT p.id FROM products p WHERE p.attributes @> '{"color": "red"}';
CREATE VIEW heavy_products AS
  SELECT id FROM products WHERE (shipping -> 'box' ->> 'weight_kg')::numeric > 20 AND promo ? 'discount';

-- good: an expression index serves the key lookup
CREATE TABLE orders (id bigint PRIMARY KEY, data jsonb);
CREATE INDEX orders_status_idx ON orders ((data ->> 'status'));
CREATE VIEW open_orders AS SELECT id FROM orders WHERE data ->> 'status' = 'open';

-- good: a GIN index serves containment
CREATE TABLE documents (id bigint PRIMARY KEY, body jsonb);
CREATE INDEX documents_body_idx ON documents USING gin (body jsonb_path_ops);
CREATE VIEW published_documents AS SELECT d.id FROM documents d WHERE d.body @> '{"published": true}';

-- good: keys read in the select list are not filters, and a key inside a function needs an index on the whole expression
CREATE TABLE logs (id bigint PRIMARY KEY, entry jsonb);
CREATE VIEW log_levels AS SELECT entry ->> 'level' AS level FROM logs WHERE lower(entry ->> 'service') = 'api';

-- good: without a workload (no view, no pg_stat_statements) nothing is reported
CREATE TABLE settings (id bigint PRIMARY KEY, prefs jsonb);
