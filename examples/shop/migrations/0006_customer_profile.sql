-- 0006: customer profile changes for the marketing team.
--
-- Deliberate problems (see ../README.md):
--   * Add column, backfill every row and SET NOT NULL in one transaction: the UPDATE rewrites
--     every customer row (and fires the updated_at trigger) while ACCESS EXCLUSIVE is held,
--     and SET NOT NULL scans the whole table under that lock.
--     (On PostgreSQL 11+ "ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT false" would do it
--     without a rewrite.)
--   * full_name is renamed in place, breaking every running release that still selects it.
--   * No lock_timeout: each ALTER queues behind long transactions and blocks everyone else.

BEGIN;

ALTER TABLE customers
    ADD COLUMN marketing_opt_in boolean;

UPDATE customers
SET marketing_opt_in = false
WHERE marketing_opt_in IS NULL;

ALTER TABLE customers
    ALTER COLUMN marketing_opt_in SET NOT NULL;

ALTER TABLE customers
    RENAME COLUMN full_name TO display_name;

COMMIT;
