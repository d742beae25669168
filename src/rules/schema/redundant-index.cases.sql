-- bad: an index on the primary key column
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text);
CREATE INDEX users_id_idx ON users (id); -- <- here

-- bad: an index on the leading column of a composite unique constraint
CREATE TABLE memberships (org_id bigint NOT NULL, user_id bigint NOT NULL, role text, PRIMARY KEY (org_id, user_id));
CREATE TABLE seats (id bigint PRIMARY KEY, org_id bigint NOT NULL, seat_no int NOT NULL, UNIQUE (org_id, seat_no));
CREATE INDEX seats_org_idx ON seats (org_id); -- <- here
CREATE INDEX memberships_org_idx ON memberships (org_id); -- <- here

-- bad: a hash index on the primary key, and two copies of the same plain index on it (both reported here, once each)
CREATE TABLE sessions (id uuid PRIMARY KEY, user_id bigint);
CREATE INDEX sessions_id_hash ON sessions USING hash (id); -- <- here
CREATE INDEX sessions_id_idx ON sessions (id); -- <- here
CREATE INDEX sessions_id_idx2 ON sessions (id); -- <- here

-- bad: on a partitioned table, reported once on the parent (its partitions' copies go with it)
CREATE TABLE measurements (sensor_id bigint, taken_at timestamptz, value float8, PRIMARY KEY (sensor_id, taken_at)) PARTITION BY RANGE (taken_at);
CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX measurements_sensor_idx ON measurements (sensor_id); -- <- here

-- good: the second column of a composite key needs its own index
CREATE TABLE follows (follower_id bigint, followee_id bigint, PRIMARY KEY (follower_id, followee_id));
CREATE INDEX follows_followee_idx ON follows (followee_id);

-- good: a covering index (INCLUDE) answers queries from the index alone, the key cannot
CREATE TABLE accounts (id bigint PRIMARY KEY, name text, plan text);
CREATE INDEX accounts_id_plan_idx ON accounts (id) INCLUDE (plan);

-- good: a partial index and an index with another operator class serve other queries
CREATE TABLE slugs (slug text PRIMARY KEY, archived boolean);
CREATE INDEX slugs_live_idx ON slugs (slug) WHERE NOT archived;
CREATE INDEX slugs_prefix_idx ON slugs (slug text_pattern_ops);

-- good: a unique index identical to a constraint is duplicate-index's finding, not this one's
CREATE TABLE codes (code text PRIMARY KEY);
CREATE UNIQUE INDEX codes_code_idx ON codes (code);
