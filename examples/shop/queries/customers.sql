-- Customer account queries.

-- Login: lower() on email defeats the unique index on customers (email).
SELECT id, email, display_name
FROM customers
WHERE lower(email) = lower('Alice@Example.com')
  AND deleted_at IS NULL;

-- Profile page: SELECT * ships every column, and breaks when columns are renamed (see 0006).
SELECT *
FROM customers
WHERE id = 42;

-- Win-back campaign: NOT IN returns no rows at all if the subquery ever yields a NULL,
-- and cannot be planned as an anti-join.
SELECT id, email
FROM customers
WHERE id NOT IN (SELECT customer_id FROM orders)
  AND deleted_at IS NULL;

-- Good: NOT EXISTS is NULL-safe and becomes an anti-join.
SELECT c.id, c.email
FROM customers AS c
WHERE NOT EXISTS (
    SELECT 1
    FROM orders AS o
    WHERE o.customer_id = c.id
)
  AND c.deleted_at IS NULL;
