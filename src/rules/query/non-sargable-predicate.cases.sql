-- bad: lower() hides email from its unique index
SELECT id, email
FROM customers
WHERE lower(email) = lower($1); -- <- here

-- bad: date() hides placed_at from orders_placed_at_idx
SELECT id, total_cents FROM orders WHERE date(placed_at) = '2024-03-15'; -- <- here

-- bad: so does a cast, with a table alias
SELECT o.id FROM orders AS o WHERE o.placed_at::date BETWEEN '2024-03-01' AND '2024-03-07'; -- <- here

-- bad: date() of a timestamptz depends on TimeZone: no expression index is possible, only a range
SELECT id FROM products WHERE date(created_at) = '2024-02-01'; -- <- here

-- bad: without a catalog, a function on a column is worth a look (info) {"catalog": false}
SELECT id FROM customers WHERE upper(country) = 'DE'; -- <- here

-- good: an index on lower(email) exists
CREATE INDEX customers_lower_email_idx ON customers (lower(email));
SELECT id, email FROM customers WHERE lower(email) = lower($1);

-- good: name has no index, so there is nothing to hide it from
SELECT id FROM customers WHERE lower(name) = 'user 7';

-- good: the function is on the value, not the column
SELECT id FROM customers WHERE email = lower($1);

-- good: a half-open range on the bare column
SELECT id FROM orders WHERE placed_at >= '2024-03-15' AND placed_at < '2024-03-16';
