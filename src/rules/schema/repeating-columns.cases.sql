-- bad: numbered phone columns
CREATE TABLE contacts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  phone1 text, -- <- here
  phone2 text,
  phone3 text
);

-- bad: an unnumbered first column and numbered others, underscored
CREATE TABLE vendors (
  id bigint PRIMARY KEY,
  email text, -- <- here
  email_2 text,
  email_3 text
);

-- bad: an array of ids (no foreign key can check them)
CREATE TABLE tags (id bigint PRIMARY KEY, label text NOT NULL);
CREATE TABLE posts (
  id bigint PRIMARY KEY,
  title text NOT NULL,
  tag_ids bigint[] NOT NULL DEFAULT '{}' -- <- here
);

-- bad: more address lines than any postal format needs is a repeating group after all
CREATE TABLE shipments (
  id uuid PRIMARY KEY,
  address_line_1 text, -- <- here
  address_line_2 text,
  address_line_3 text,
  address_line_4 text,
  address_line_5 text
);

-- good: two or three address lines are parts of one address
CREATE TABLE customers (
  id bigint PRIMARY KEY,
  address_line_1 text NOT NULL,
  address_line_2 text,
  address1 text,
  address2 text,
  address3 text
);

-- good: numbers that are not a sequence, or name different things
CREATE TABLE files (
  id bigint PRIMARY KEY,
  md5 text,
  sha1 bytea,
  sha256 bytea,
  ipv4 inet,
  ipv6 inet
);

-- good: a box's corners, and numbered columns of different types
CREATE TABLE regions (
  id bigint PRIMARY KEY,
  x1 int, y1 int, x2 int, y2 int,
  step1 text, step2 int
);

-- good: a child table, and arrays that are not ids
CREATE TABLE people (id bigint PRIMARY KEY, name text);
CREATE TABLE person_phones (
  person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  ordinal smallint NOT NULL,
  phone text NOT NULL,
  PRIMARY KEY (person_id, ordinal)
);
CREATE TABLE articles (id bigint PRIMARY KEY, keywords text[], scores int[]);
