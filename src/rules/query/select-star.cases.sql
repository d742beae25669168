-- bad: the profile page reads every column
SELECT * -- <- here
FROM customers
WHERE id = 42;

-- bad: every column of one side of a join
SELECT o.*, c.email -- <- here
FROM orders AS o
JOIN customers AS c ON c.id = o.customer_id
WHERE o.id = 7;

-- bad: judged from the SQL alone (no column list to offer) {"catalog": false}
SELECT * FROM products WHERE sku = $1; -- <- here

-- good: the columns the code reads
SELECT id, email, name FROM customers WHERE id = 42;

-- good: a star inside EXISTS selects nothing
SELECT id FROM customers AS c WHERE EXISTS (SELECT * FROM orders AS o WHERE o.customer_id = c.id);

-- good: a star over a CTE of the same statement, which names its columns
WITH recent AS (SELECT id, email FROM customers ORDER BY created_at DESC LIMIT 10)
SELECT * FROM recent;

-- good: count(*) is no star
SELECT count(*) FROM customers WHERE country = 'DE';
