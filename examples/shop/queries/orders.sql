-- Order history and reporting queries.

-- "Has this customer ever ordered?" counts every order just to compare with zero.
SELECT count(*) > 0 AS has_orders
FROM orders
WHERE customer_id = 42;

-- March revenue: BETWEEN includes midnight of 1 April, so that order is counted in
-- March and again in April.
SELECT sum(total_cents) AS revenue_cents
FROM orders
WHERE placed_at BETWEEN '2024-03-01 00:00:00' AND '2024-04-01 00:00:00';

-- Orders placed on one day: date() hides placed_at from orders_placed_at_idx.
SELECT id, customer_id, total_cents
FROM orders
WHERE date(placed_at) = '2024-03-15';

-- Good: EXISTS stops at the first matching order.
SELECT EXISTS (
    SELECT 1
    FROM orders
    WHERE customer_id = 42
) AS has_orders;

-- Good: half-open range on the indexed column.
SELECT id, customer_id, total_cents
FROM orders
WHERE placed_at >= '2024-03-15 00:00:00'
  AND placed_at < '2024-03-16 00:00:00';
