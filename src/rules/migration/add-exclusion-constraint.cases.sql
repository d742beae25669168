-- bad: an exclusion constraint on an existing table
ALTER TABLE orders ADD CONSTRAINT orders_no_overlap EXCLUDE USING btree (code WITH =); -- <- here

-- good: the table was created earlier in the same migration, so it is empty
CREATE TABLE bookings (room int, during tstzrange);
ALTER TABLE bookings ADD EXCLUDE USING gist (during WITH &&);

-- good: an exclusion constraint declared inside CREATE TABLE
CREATE TABLE slots (room int, during tstzrange, EXCLUDE USING gist (during WITH &&));
