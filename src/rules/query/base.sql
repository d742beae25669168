-- The schema and data every query rule case starts from (in its own schema). The data is small and
-- deterministic, so the tests can run a case's query and its fix and compare the rows.

CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    country text,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz
);

CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    name text NOT NULL,
    description text,
    created_at timestamptz NOT NULL,
    published_on date
);

CREATE INDEX products_created_at_idx ON products (created_at);

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    referred_by bigint REFERENCES customers (id),
    status text NOT NULL DEFAULT 'cart',
    total_cents bigint NOT NULL DEFAULT 0,
    placed_at timestamp,
    created_at timestamptz NOT NULL
);

CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_placed_at_idx ON orders (placed_at);

CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id),
    product_id bigint NOT NULL REFERENCES products (id),
    quantity integer NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

-- 200 customers (every 10th soft-deleted), 120 products, 600 orders by the first 150 customers,
-- one line each, of the first 100 products.
INSERT INTO customers (email, name, country, created_at, deleted_at)
SELECT format('user%s@example.com', g), format('User %s', g), (ARRAY['DE', 'FR', 'US'])[g % 3 + 1],
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour',
       CASE WHEN g % 10 = 0 THEN timestamptz '2024-06-01 00:00:00+00' END
FROM generate_series(1, 200) AS g;

INSERT INTO products (sku, name, description, created_at, published_on)
SELECT format('SKU-%s', g), (ARRAY['Blue mug', 'Red mug', 'Tea pot', 'Plate'])[g % 4 + 1] || ' ' || g, NULL,
       timestamptz '2024-02-01 00:00:00+00' + g * interval '1 minute', date '2024-02-01' + g % 30
FROM generate_series(1, 120) AS g;

INSERT INTO orders (customer_id, referred_by, status, total_cents, placed_at, created_at)
SELECT g % 150 + 1, CASE WHEN g % 7 = 0 THEN g % 150 + 2 END, (ARRAY['cart', 'placed', 'paid', 'shipped'])[g % 4 + 1], g * 100,
       timestamp '2024-03-01 00:00:00' + g * interval '2 hours', timestamptz '2024-03-01 00:00:00+00' + g * interval '90 minutes'
FROM generate_series(1, 600) AS g;

INSERT INTO order_items (order_id, product_id, quantity)
SELECT g, g % 100 + 1, g % 5 + 1 FROM generate_series(1, 600) AS g;
