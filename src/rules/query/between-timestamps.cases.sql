-- bad: March revenue counts the order placed at midnight on 1 April
SELECT sum(total_cents) AS revenue_cents
FROM orders
WHERE placed_at BETWEEN '2024-03-01' AND '2024-04-01'; -- <- here

-- bad: the last day, by the clock, judged from the SQL alone {"catalog": false}
SELECT id FROM events WHERE happened_at BETWEEN now() - interval '1 day' AND now(); -- <- here

-- bad: timestamps with a time of day, from the SQL alone {"catalog": false}
SELECT id FROM orders WHERE created_at BETWEEN '2024-03-01 00:00:00' AND '2024-04-01 00:00:00'; -- <- here

-- good: a date column: BETWEEN two dates is the usual inclusive day range
SELECT id FROM products WHERE published_on BETWEEN '2024-02-01' AND '2024-02-29';

-- good: a half-open range tiles periods without overlap
SELECT sum(total_cents) FROM orders WHERE placed_at >= '2024-03-01' AND placed_at < '2024-04-01';

-- good: plain dates without a catalog may well be a date column {"catalog": false}
SELECT id FROM orders WHERE placed_on BETWEEN '2024-03-01' AND '2024-03-31';
