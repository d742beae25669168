-- bad: an extension created in the default schema (public; the tests expose the schema each case runs in)
CREATE EXTENSION IF NOT EXISTS citext; -- <- here
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email citext NOT NULL UNIQUE);

-- good: extensions in their own schema
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA extensions;
CREATE TABLE settings (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, options extensions.hstore);
