-- 0003: orders and their line items.
--
-- Deliberate problems (see ../README.md):
--   * orders.placed_at is timestamp without time zone: checkout writes local wall-clock time,
--     so the stored instant depends on the writer's TimeZone setting (and DST).
--   * orders.updated_at exists but no trigger maintains it.
--   * idx_orders_customer duplicates orders_customer_id_idx (two developers, same idea).
--   * order_items.product_id is a foreign key with no index leading with it.
-- Good: bigint identity primary key, CHECK on orders.status, orders.customer_id is indexed,
-- order_items.order_id is the leading column of the primary key (indexed) and cascades,
-- because a line item belongs to its order.

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    status text NOT NULL DEFAULT 'cart',
    total_cents bigint NOT NULL DEFAULT 0,
    placed_at timestamp,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_status_check CHECK (status IN ('cart', 'placed', 'paid', 'shipped', 'delivered', 'cancelled')),
    CONSTRAINT orders_total_cents_check CHECK (total_cents >= 0)
);

COMMENT ON TABLE orders IS 'A cart until checkout sets placed_at; totals are in integer cents.';

CREATE INDEX orders_customer_id_idx ON orders (customer_id);

CREATE INDEX orders_placed_at_idx ON orders (placed_at);

CREATE INDEX idx_orders_customer ON orders (customer_id);

CREATE TABLE order_items (
    order_id bigint NOT NULL,
    product_id uuid NOT NULL,
    quantity integer NOT NULL,
    unit_price_cents bigint NOT NULL,
    PRIMARY KEY (order_id, product_id),
    FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT
);

COMMENT ON TABLE order_items IS 'Lines of an order, with the unit price actually charged.';
