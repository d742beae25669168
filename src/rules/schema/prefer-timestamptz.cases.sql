-- bad: timestamp columns, with and without a default
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  happened_at timestamp NOT NULL DEFAULT now(), -- <- here
  reviewed_at timestamp without time zone -- <- here
);

-- bad: a timestamp column added later
CREATE TABLE invoices (id bigint PRIMARY KEY, issued_at timestamptz NOT NULL);
ALTER TABLE invoices ADD COLUMN paid_at timestamp; -- <- here

-- good: timestamptz, date and time of day
CREATE TABLE bookings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  starts_on date NOT NULL,
  opens_at time NOT NULL
);

-- good: partitions are reported through their parent only (here the parent is fine)
CREATE TABLE readings (id bigint NOT NULL, taken_at timestamptz NOT NULL, PRIMARY KEY (id, taken_at)) PARTITION BY RANGE (taken_at);
CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
