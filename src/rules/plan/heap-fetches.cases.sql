-- bad: never vacuumed: the index-only scan checks the table for every row
CREATE TABLE readings (id bigint NOT NULL, sensor int NOT NULL, value float8 NOT NULL);
INSERT INTO readings SELECT g, g % 100, g FROM generate_series(1, 20000) g;
CREATE INDEX readings_id_idx ON readings (id);
ANALYZE readings;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT id FROM readings WHERE id <= 10000; -- <- here

-- good: after VACUUM the visibility map answers for the table
CREATE TABLE readings (id bigint NOT NULL, sensor int NOT NULL, value float8 NOT NULL);
INSERT INTO readings SELECT g, g % 100, g FROM generate_series(1, 20000) g;
CREATE INDEX readings_id_idx ON readings (id);
VACUUM (ANALYZE) readings;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT id FROM readings WHERE id <= 10000;
