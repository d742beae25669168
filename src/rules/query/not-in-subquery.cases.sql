-- bad: customers who never ordered (customer_id is NOT NULL, but no anti-join)
SELECT id, email
FROM customers
WHERE id NOT IN (SELECT customer_id FROM orders) -- <- here
  AND deleted_at IS NULL;

-- bad: a nullable column: one NULL and the query returns nothing
SELECT id, email
FROM customers
WHERE id NOT IN (SELECT referred_by FROM orders WHERE status = 'paid'); -- <- here

-- bad: <> ALL is the same trap
SELECT id FROM products WHERE id <> ALL (SELECT product_id FROM order_items); -- <- here

-- bad: judged from the SQL alone {"catalog": false}
DELETE FROM customers WHERE id NOT IN (SELECT customer_id FROM orders); -- <- here

-- good: NOT EXISTS is NULL-safe and planned as an anti-join
SELECT c.id, c.email
FROM customers AS c
WHERE NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.customer_id = c.id);

-- good: NOT IN over a list of constants
SELECT id FROM orders WHERE status NOT IN ('cart', 'shipped');

-- good: IN (SELECT …) has no NULL trap
SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE status = 'paid');
