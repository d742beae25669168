-- What the shop runs, with how often: `-- weight: N` before a query is its calls per period
-- (1 when absent). $1, $2 … are bound by the app; the advisor samples values from the data.

-- Sign-in: the app lower-cases what the user typed.
-- weight: 400
select id, name from customers where lower(email) = lower($1);

-- Marketing: recent sign-ups of one country.
-- weight: 30
select id, email from customers where country = $1 and created_at >= $2 and created_at < $3;

-- weight: 300
select id, email, name, country from customers where id = $1;

-- A customer's latest orders (account page).
-- weight: 300
select id, status, total, created_at from orders where customer_id = $1 order by created_at desc limit 10;

-- The fulfilment queue, polled by every warehouse worker: the oldest pending orders.
-- weight: 1000
select id, customer_id, total from orders where status = 'pending' order by created_at limit 50;

-- weight: 300
select o.id, o.status, o.total, oi.product_id, oi.quantity
from orders o join order_items oi on oi.order_id = o.id
where o.id = $1;

-- Sales of one product (product page): only two columns of order_items.
-- weight: 200
select product_id, sum(quantity) from order_items where product_id = $1 group by product_id;

-- Search box.
-- weight: 100
select id, name, price from products where name ilike '%blue lamp%';

-- weight: 200
select id, name, price from products where sku = $1;

-- weight: 100
select p.id, p.name, p.price from products p where p.category_id = $1 order by p.price limit 20;

-- weight: 50
select id, name from categories where parent_id is null order by name;

-- weight: 20
select c.name, count(*) from products p join categories c on c.id = p.category_id group by c.name;

-- Daily revenue report.
-- weight: 2
select date_trunc('day', created_at) as day, sum(total) from orders
where created_at >= $1 and created_at < $2 group by 1 order by 1;

-- weight: 5
select count(*) from customers;

-- Events are written all the time and read by one rare analytics query: an index there costs
-- more on every insert than it saves.
-- weight: 200000
insert into events (customer_id, kind, payload) values ($1, $2, $3);

-- weight: 1
select count(*) from events where kind = $1 and created_at >= $2;

-- weight: 1
select id, payload from events where payload @> '{"source": "ios"}' and customer_id = $1;

-- weight: 100
insert into orders (customer_id, status, total) values ($1, 'pending', $2);

-- weight: 100
update orders set status = 'shipped', shipped_at = now() where id = $1;

-- weight: 150
insert into order_items (order_id, product_id, quantity, unit_price) values ($1, $2, $3, $4);

-- weight: 10
update products set price = $2 where id = $1;

-- weight: 50
select id, email from customers order by id desc limit 20;

-- weight: 10
delete from order_items where order_id = $1 and product_id = $2;
