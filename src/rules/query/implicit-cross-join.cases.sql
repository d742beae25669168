-- bad: the join condition was forgotten
SELECT c.email, o.id
FROM customers AS c, orders AS o -- <- here
WHERE o.status = 'paid';

-- bad: no WHERE at all
SELECT count(*) FROM customers, products; -- <- here

-- bad: two of three tables are linked, the third is not
SELECT c.email, o.id, p.sku
FROM customers AS c, orders AS o, products AS p -- <- here
WHERE o.customer_id = c.id;

-- bad: judged from the SQL alone: qualified columns show nothing links them {"catalog": false}
SELECT a.name, i.total FROM accounts AS a, invoices AS i WHERE i.total > 100; -- <- here

-- good: the WHERE condition links the tables
SELECT c.email, o.id FROM customers AS c, orders AS o WHERE c.id = o.customer_id;

-- good: unqualified columns the catalog places: order_id is order_items', id is orders'
SELECT order_id, quantity FROM orders, order_items WHERE order_id = id AND status = 'paid';

-- good: an explicit CROSS JOIN says the product is meant
SELECT c.id, p.id FROM customers AS c CROSS JOIN products AS p WHERE c.id = 1;

-- good: a set-returning function joined with a comma
SELECT c.id, g FROM customers AS c, generate_series(1, 3) AS g WHERE c.id < 3;

-- good: a LATERAL sub-select reads the table before it
SELECT c.id, last.id
FROM customers AS c,
     LATERAL (SELECT o.id FROM orders AS o WHERE o.customer_id = c.id ORDER BY o.id DESC LIMIT 1) AS last;

-- good: without a catalog, an unqualified column in a condition with another may link the tables {"catalog": false}
SELECT name, total FROM accounts, invoices WHERE account_id = accounts.id;
