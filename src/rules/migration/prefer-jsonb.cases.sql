-- bad: a json column in a new table
CREATE TABLE webhooks (
  id bigint PRIMARY KEY,
  payload json NOT NULL, -- <- here
  headers jsonb
);

-- bad: json and json[] columns added to an existing table
ALTER TABLE orders
  ADD COLUMN meta json, -- <- here
  ADD COLUMN history pg_catalog.json[]; -- <- also

-- bad: a column changed to json
ALTER TABLE users ALTER COLUMN name TYPE json USING to_json(name); -- <- here

-- bad: a json column added to a table created in the same migration
CREATE TABLE audit (id bigint PRIMARY KEY);
ALTER TABLE audit ADD COLUMN diff json; -- <- here

-- good: jsonb
CREATE TABLE webhooks (id bigint PRIMARY KEY, payload jsonb NOT NULL);
ALTER TABLE orders ADD COLUMN meta jsonb;

-- good: a type of the project's own that happens to be named json
CREATE SCHEMA app;
CREATE DOMAIN app.json AS text;
ALTER TABLE orders ADD COLUMN raw app.json;
