-- bad: a value of an existing enum
ALTER TYPE order_status RENAME VALUE 'paid' TO 'settled'; -- <- here

-- good: the enum was created earlier in the same migration
CREATE TYPE shipment_state AS ENUM ('pending', 'sent');
ALTER TYPE shipment_state RENAME VALUE 'sent' TO 'shipped';

-- good: adding a value breaks no running code
ALTER TYPE order_status ADD VALUE 'refunded';
