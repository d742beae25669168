-- bad: a page number from the application, sorted by a column that is not unique
SELECT id, sku, name, created_at
FROM products
WHERE name LIKE 'Blue%'
ORDER BY created_at DESC
LIMIT 20
OFFSET $1; -- <- here

-- bad: page 201 of 50 products
SELECT id, sku, name
FROM products
ORDER BY created_at DESC, id DESC
LIMIT 50 OFFSET 10000; -- <- here

-- bad: the offset computed from a page number
SELECT id, total_cents
FROM orders
WHERE customer_id = $1
ORDER BY id
LIMIT 25 OFFSET ($2 - 1) * 25; -- <- here

-- bad: judged from the SQL alone {"catalog": false}
SELECT id, email FROM customers ORDER BY email LIMIT 10 OFFSET 5000; -- <- here

-- good: the second page (a small offset is cheap)
SELECT id, sku, name FROM products ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 20;

-- good: keyset pagination continues after the last row shown
SELECT id, sku, name, created_at
FROM products
WHERE (created_at, id) < ($1, $2)
ORDER BY created_at DESC, id DESC
LIMIT 20;

-- good: LIMIT alone
SELECT id, email FROM customers ORDER BY id LIMIT 100;
