-- bad: an integer column referencing a bigint key
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id) -- <- here
);

-- bad: a text column referencing a varchar(n) key, declared as a table constraint
CREATE TABLE currencies (code varchar(3) PRIMARY KEY);
CREATE TABLE prices (
  id bigint PRIMARY KEY,
  currency text NOT NULL,
  CONSTRAINT prices_currency_fk FOREIGN KEY (currency) REFERENCES currencies (code) -- <- here
);

-- bad: a reference to a partitioned table (reported once, not again for each partition)
CREATE TABLE trips (id bigint NOT NULL, starts_on date NOT NULL, PRIMARY KEY (id, starts_on)) PARTITION BY RANGE (starts_on);
CREATE TABLE trips_2026 PARTITION OF trips FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE trips_2027 PARTITION OF trips FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
CREATE TABLE trip_stops (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trip_id integer NOT NULL,
  trip_starts_on date NOT NULL,
  FOREIGN KEY (trip_id, trip_starts_on) REFERENCES trips (id, starts_on) -- <- here
);

-- good: identical types, including a composite key
CREATE TABLE warehouses (id bigint PRIMARY KEY);
CREATE TABLE bins (warehouse_id bigint REFERENCES warehouses (id), bin_no int, PRIMARY KEY (warehouse_id, bin_no));
CREATE TABLE stock (
  id bigint PRIMARY KEY,
  warehouse_id bigint NOT NULL,
  bin_no int NOT NULL,
  FOREIGN KEY (warehouse_id, bin_no) REFERENCES bins (warehouse_id, bin_no)
);
