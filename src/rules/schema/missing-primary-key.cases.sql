-- bad: a log table with no key at all
CREATE TABLE audit_log ( -- <- here
  happened_at timestamptz NOT NULL,
  message text
);

-- bad: a unique NOT NULL column that is not the primary key (the fix promotes its index)
CREATE TABLE countries ( -- <- here
  code text NOT NULL UNIQUE,
  name text
);

-- good: identity primary key
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL
);

-- good: composite primary key declared as a table constraint
CREATE TABLE memberships (
  account_id bigint NOT NULL,
  group_id bigint NOT NULL,
  PRIMARY KEY (account_id, group_id)
);

-- good: partitions inherit the parent's key
CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
