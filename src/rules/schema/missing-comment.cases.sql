-- bad: a table nobody described
CREATE TABLE ledger_entries ( -- <- here
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  amount numeric(12,2) NOT NULL
);

-- good: a table with a comment, and its partitions (reported through the parent)
CREATE TABLE measurements (
  id bigint NOT NULL,
  taken_at timestamptz NOT NULL,
  PRIMARY KEY (id, taken_at)
) PARTITION BY RANGE (taken_at);
COMMENT ON TABLE measurements IS 'One row per sensor reading; partitioned by month, old partitions are detached after a year.';
CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
