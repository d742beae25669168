-- 0001: customers, plus the trigger function every table with an updated_at column should use.
--
-- Deliberate problems (see ../README.md):
--   * phone1 / phone2 are a numbered column group (1NF violation); a customer_phones table
--     would allow any number of phone numbers.
--   * deleted_at implements soft delete, but no partial index WHERE deleted_at IS NULL
--     supports the "live customers only" filter every query applies.

CREATE FUNCTION set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION set_updated_at() IS 'BEFORE UPDATE row trigger: keeps updated_at current.';

CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    full_name text NOT NULL,
    phone1 text,
    phone2 text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);

COMMENT ON TABLE customers IS 'People who can place orders. Soft-deleted by setting deleted_at.';

CREATE TRIGGER customers_set_updated_at
    BEFORE UPDATE ON customers
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
