-- 0002: the product catalog.
--
-- Deliberate problems (see ../README.md):
--   * categories.id is a serial (a 32-bit integer backed by an owned sequence) instead of a
--     bigint identity column, and products.category_id inherits the 32-bit type.
--   * categories.name is varchar(100) with no CHECK explaining the limit.
--   * products.category_id is a foreign key with no index on it.
--   * products.price uses the money type (locale-dependent, fixed 2 decimals).
--   * products.attributes is json rather than jsonb.
--   * products.status is free text with no CHECK, enum or lookup table.
-- Good: product_tags has a composite primary key led by product_id, so its foreign key is
-- indexed, and ON DELETE CASCADE because a tag belongs to its product.

CREATE TABLE categories (
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL,
    slug text NOT NULL UNIQUE
);

COMMENT ON TABLE categories IS 'Product categories shown in the shop navigation.';

CREATE TABLE products (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sku text NOT NULL UNIQUE,
    name text NOT NULL,
    description text,
    category_id integer REFERENCES categories (id),
    price money NOT NULL,
    attributes json,
    status text NOT NULL DEFAULT 'draft',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE products IS 'Sellable items. price is the current list price; order_items keep the price paid.';

CREATE TRIGGER products_set_updated_at
    BEFORE UPDATE ON products
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();

CREATE TABLE product_tags (
    product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    tag text NOT NULL,
    PRIMARY KEY (product_id, tag)
);

COMMENT ON TABLE product_tags IS 'Free-form search tags; one row per (product, tag).';
