-- bad: inside BEGIN … COMMIT, before PG 12 {"pgVersion": 11}
BEGIN;
ALTER TYPE order_status ADD VALUE 'shipped'; -- <- here
COMMIT;

-- bad: the runner wraps the migration in a transaction {"pgVersion": 11, "assumeInTransaction": true}
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'shipped' AFTER 'paid'; -- <- here

-- bad: the enum was created in this migration, but in an earlier transaction {"pgVersion": 11}
CREATE TYPE shipment_state AS ENUM ('pending');
BEGIN;
ALTER TYPE shipment_state ADD VALUE 'sent'; -- <- here
COMMIT;

-- good: PG 12+ allows it inside a transaction {"pgVersion": 12, "assumeInTransaction": true}
ALTER TYPE order_status ADD VALUE 'shipped';

-- good: outside a transaction, before PG 12 {"pgVersion": 11}
ALTER TYPE order_status ADD VALUE 'shipped';

-- good: before PG 12, an enum created in the same transaction may gain values {"pgVersion": 11, "assumeInTransaction": true}
CREATE TYPE shipment_state AS ENUM ('pending');
ALTER TYPE shipment_state ADD VALUE 'sent';
