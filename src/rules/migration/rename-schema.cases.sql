-- bad: an existing schema (public, renamed and renamed back: each rename breaks running code)
ALTER SCHEMA public RENAME TO public_old; -- <- here
ALTER SCHEMA public_old RENAME TO public; -- <- also

-- good: the schema was created earlier in the same migration
CREATE SCHEMA staging;
ALTER SCHEMA staging RENAME TO imports;

-- good: renaming a table in a schema is not renaming the schema
CREATE TABLE drafts (id bigint PRIMARY KEY);
ALTER TABLE drafts RENAME TO invoices;
