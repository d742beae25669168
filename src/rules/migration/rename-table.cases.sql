-- bad: an existing table
ALTER TABLE orders RENAME TO purchases; -- <- here

-- bad: IF EXISTS reports only the table that exists
ALTER TABLE IF EXISTS public.no_such_table RENAME TO other;
ALTER TABLE IF EXISTS users RENAME TO accounts; -- <- here

-- good: the table was created earlier in the same migration
CREATE TABLE drafts (id bigint PRIMARY KEY);
ALTER TABLE drafts RENAME TO invoices;

-- good: renaming a column or an index is not renaming the table
ALTER TABLE orders RENAME COLUMN note TO remark;
ALTER INDEX orders_user_id_idx RENAME TO orders_by_user_idx;
