-- bad: the same index created twice under two names
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_customer_id_idx ON orders (customer_id); -- <- here

-- bad: a btree whose keys lead another btree
CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint, happened_at timestamptz);
CREATE INDEX events_account_idx ON events (account_id); -- <- here
CREATE INDEX events_account_time_idx ON events (account_id, happened_at DESC);

-- bad: identical partial indexes, spelled differently
CREATE TABLE subscribers (id bigint PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);
CREATE INDEX subscribers_email_live_idx ON subscribers (email) WHERE deleted_at IS NULL;
CREATE INDEX subscribers_live_email ON subscribers USING btree (email ASC) WHERE (deleted_at IS NULL); -- <- here

-- bad: a unique index identical to a unique constraint
CREATE TABLE products (id bigint PRIMARY KEY, sku text UNIQUE);
CREATE UNIQUE INDEX products_sku_key2 ON products (sku); -- <- here

-- good: the same columns in another order serve other queries
CREATE TABLE visits (id bigint PRIMARY KEY, site_id bigint, visitor_id bigint);
CREATE INDEX visits_site_visitor_idx ON visits (site_id, visitor_id);
CREATE INDEX visits_visitor_site_idx ON visits (visitor_id, site_id);

-- good: another operator class (LIKE 'abc%' needs text_pattern_ops under a non-C collation)
CREATE TABLE pages (id bigint PRIMARY KEY, path text);
CREATE INDEX pages_path_idx ON pages (path);
CREATE INDEX pages_path_prefix_idx ON pages (path text_pattern_ops);

-- good: the shorter index enforces uniqueness
CREATE TABLE handles (id bigint PRIMARY KEY, handle text, created_at timestamptz);
CREATE UNIQUE INDEX handles_handle_key ON handles (handle);
CREATE INDEX handles_handle_created_idx ON handles (handle, created_at);

-- good: different predicates serve different queries
CREATE TABLE jobs (id bigint PRIMARY KEY, queue text, finished_at timestamptz);
CREATE INDEX jobs_queue_pending_idx ON jobs (queue) WHERE finished_at IS NULL;
CREATE INDEX jobs_queue_idx ON jobs (queue, finished_at);

-- good: different methods and sort orders
CREATE TABLE readings (id bigint PRIMARY KEY, sensor text, at timestamptz);
CREATE INDEX readings_sensor_hash ON readings USING hash (sensor);
CREATE INDEX readings_sensor_at_idx ON readings (sensor, at);
CREATE INDEX readings_sensor_at_desc_idx ON readings (sensor, at DESC);

-- good: an index covered by the primary key is redundant-index's finding, not this one's
CREATE TABLE tokens (id bigint PRIMARY KEY, value text);
CREATE INDEX tokens_id_idx ON tokens (id);
