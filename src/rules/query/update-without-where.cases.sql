-- bad: every order cancelled
UPDATE orders SET status = 'cancelled'; -- <- here

-- bad: every order line removed
DELETE FROM order_items; -- <- here

-- bad: inside a data-modifying CTE
WITH removed AS (
    DELETE FROM order_items -- <- here
    RETURNING order_id
)
SELECT count(*) FROM removed;

-- bad: judged from the SQL alone {"catalog": false}
UPDATE sessions SET expires_at = now(); -- <- here

-- good: the rows meant
UPDATE orders SET status = 'cancelled' WHERE status = 'cart' AND created_at < now() - interval '30 days';

-- good: DELETE with a join condition
DELETE FROM order_items AS i USING orders AS o WHERE o.id = i.order_id AND o.status = 'cart';
