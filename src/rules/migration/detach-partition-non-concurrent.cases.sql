-- bad: a partition of an existing partitioned table
ALTER TABLE events DETACH PARTITION events_2026; -- <- here

-- bad: before PG 14 there is no concurrent form, still reported {"pgVersion": 13}
ALTER TABLE events -- <- here
  DETACH PARTITION events_2026;

-- good: detached concurrently {"noTransaction": true}
ALTER TABLE events DETACH PARTITION events_2026 CONCURRENTLY;

-- good: the partitioned table was created earlier in the same migration, so it is unused
CREATE TABLE logs (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE logs_2026 PARTITION OF logs FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE logs DETACH PARTITION logs_2026;
