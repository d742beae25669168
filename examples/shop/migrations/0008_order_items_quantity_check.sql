-- 0008: forbid zero and negative quantities -- done the safe way (no deliberate problems).
--
-- NOT VALID only takes a brief lock and checks new rows; existing rows are validated in
-- 0009, in a separate transaction, under a lock that does not block reads or writes.

SET lock_timeout = '5s';

ALTER TABLE order_items
    ADD CONSTRAINT order_items_quantity_check CHECK (quantity > 0) NOT VALID;
