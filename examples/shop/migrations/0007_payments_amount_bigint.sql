-- 0007: a wholesale customer paid more than 21,474,836.47; widen amount_cents.
--
-- Deliberate problem (see ../README.md): integer -> bigint is not binary-coercible, so this
-- rewrites the whole payments table (and its indexes) under ACCESS EXCLUSIVE.
-- Good: lock_timeout is set, so the ALTER gives up instead of queueing behind long transactions.

SET lock_timeout = '5s';

ALTER TABLE payments
    ALTER COLUMN amount_cents TYPE bigint;
