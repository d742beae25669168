-- Rows for schema.sql, generated: 100k customers, 100k products, 300k orders (1% pending) of 2,000 customers,
-- 400k order items of 2,000 products, 200k events. Deterministic (no random()), so plans are the same every run.
insert into categories (name, parent_id)
select 'category ' || g, null from generate_series(1, 200) g;

insert into customers (email, name, country, created_at)
select 'User' || g || '@Example.com', 'customer ' || g, 'C' || (g % 50),
       timestamptz '2021-01-01' + (g * 1577) * interval '1 second'
from generate_series(1, 100000) g;

insert into products (sku, name, category_id, price, created_at)
select 'SKU-' || g,
       (array['red', 'blue', 'green', 'black', 'white', 'silver', 'gold', 'pink'])[1 + g % 8] || ' '
         || (array['chair', 'table', 'lamp', 'desk', 'shelf', 'sofa', 'rug', 'mirror', 'clock', 'vase'])[1 + (g / 8) % 10]
         || ' model ' || g,
       1 + g % 200, 5 + (g % 500), timestamptz '2021-01-01' + g * interval '1 hour'
from generate_series(1, 100000) g;

insert into orders (customer_id, status, total, created_at, shipped_at)
select 1 + (g::bigint * 7919) % 2000,
       case when g % 100 = 0 then 'pending' when g % 3 = 0 then 'paid' when g % 3 = 1 then 'shipped' else 'cancelled' end,
       10 + g % 900, timestamptz '2021-01-01' + g * interval '500 seconds',
       case when g % 3 = 1 then timestamptz '2021-01-02' + g * interval '500 seconds' end
from generate_series(1, 300000) g;

insert into order_items (order_id, product_id, quantity, unit_price)
select 1 + g / 4 % 300000, 1 + (g::bigint * 104729) % 2000, 1 + g % 5, 5 + g % 500
from generate_series(0, 399999) g
on conflict do nothing;

insert into events (customer_id, kind, payload, created_at)
select 1 + g % 100000, (array['view', 'click', 'cart', 'search'])[1 + g % 4],
       jsonb_build_object('source', (array['ios', 'android', 'web'])[1 + g % 3], 'n', g),
       timestamptz '2021-01-01' + g * interval '750 seconds'
from generate_series(1, 200000) g;
