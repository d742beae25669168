-- bad: "has this customer ever ordered?" counts every order
SELECT count(*) > 0 AS has_orders -- <- here
FROM orders
WHERE customer_id = 42;

-- bad: customers without orders, counted in a sub-select
SELECT c.id, c.email
FROM customers AS c
WHERE (SELECT count(*) FROM orders AS o WHERE o.customer_id = c.id) = 0 -- <- here
  AND c.deleted_at IS NULL;

-- bad: the constant first, written with >= {"catalog": false}
SELECT 1 <= count(*) AS has_paid FROM orders WHERE customer_id = $1 AND status = 'paid'; -- <- here

-- good: a threshold, not an existence test
SELECT count(*) > 5 AS loyal FROM orders WHERE customer_id = 42;

-- good: per group, count(*) is never 0
SELECT customer_id, count(*) > 0 AS ordered
FROM orders
GROUP BY customer_id;

-- good: EXISTS stops at the first row
SELECT EXISTS (SELECT 1 FROM orders WHERE customer_id = 42) AS has_orders;
