-- 0009: validate the constraint added in 0008 (no deliberate problems).
--
-- VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE: reads and writes continue during the scan.

SET lock_timeout = '5s';

ALTER TABLE order_items
    VALIDATE CONSTRAINT order_items_quantity_check;
