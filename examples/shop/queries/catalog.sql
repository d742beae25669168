-- Storefront catalog queries.

-- Category page, page 201 of 50 products: the server reads and throws away 10,000 rows.
SELECT *
FROM products
WHERE status = 'active'
ORDER BY created_at DESC
LIMIT 50
OFFSET 10000;

-- Search box: a leading wildcard cannot use a btree index.
SELECT id, sku, name, price
FROM products
WHERE name LIKE '%mug%';

-- Good: keyset pagination -- continue after the last row of the previous page.
SELECT id, sku, name, price, created_at
FROM products
WHERE status = 'active'
  AND (created_at, id) < ('2024-06-01 00:00:00+00'::timestamptz, '00000000-0000-0000-0000-000000000000'::uuid)
ORDER BY created_at DESC, id DESC
LIMIT 50;
