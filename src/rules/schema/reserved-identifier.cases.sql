-- bad: a table and columns named after reserved keywords
CREATE TABLE "user" ( -- <- here
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "group" text, -- <- here
  "left" int -- <- here
);

-- good: unreserved and column-name keywords are fine unquoted
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text,
  type text,
  position int,
  value numeric,
  "User" text
);
