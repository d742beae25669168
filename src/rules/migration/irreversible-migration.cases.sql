-- bad: no down step in a layout that has one {"layout": "diesel"}
CREATE TABLE audit (id bigint PRIMARY KEY); -- <- here

-- bad: a down step with only a comment {"layout": "dbmate", "down": "-- nothing to do\n"}
ALTER TABLE users ADD COLUMN nickname text; -- <- here

-- good: a down step that drops what the up creates {"layout": "diesel", "down": "DROP TABLE audit;"}
CREATE TABLE audit (id bigint PRIMARY KEY);

-- good: a flat-file layout has no down steps by design {"layout": "numbered"}
CREATE TABLE audit (id bigint PRIMARY KEY);
