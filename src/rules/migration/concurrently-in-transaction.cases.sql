-- bad: CREATE INDEX CONCURRENTLY inside an explicit transaction block
BEGIN;
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status); -- <- here
COMMIT;

-- bad: a runner that wraps every migration in a transaction {"assumeInTransaction": true}
DROP INDEX CONCURRENTLY orders_user_id_idx; -- <- here

-- good: marked to run outside a transaction {"assumeInTransaction": true, "noTransaction": true}
CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);

-- good: no transaction at all
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
