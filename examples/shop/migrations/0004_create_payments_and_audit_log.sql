-- 0004: payments and a generic audit log.
--
-- Deliberate problems (see ../README.md):
--   * payments.order_id was shipped without its foreign key (added later, in 0005).
--   * payments.amount_cents is integer (caps at 21,474,836.47; widened later, in 0007).
--   * audit_log has no primary key, so rows cannot be addressed, logically replicated
--     (UPDATE/DELETE) or deduplicated.
-- Good: CHECK on payments.status and audit_log.action, jsonb payload, timestamptz.

CREATE TABLE payments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL,
    amount_cents integer NOT NULL,
    provider text NOT NULL,
    provider_ref text,
    status text NOT NULL DEFAULT 'initiated',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_status_check CHECK (status IN ('initiated', 'authorized', 'captured', 'failed', 'refunded'))
);

COMMENT ON TABLE payments IS 'Payment attempts reported by the payment provider, one row per attempt.';

CREATE TABLE audit_log (
    occurred_at timestamptz NOT NULL DEFAULT now(),
    table_name text NOT NULL,
    row_id text NOT NULL,
    action text NOT NULL,
    changed_by text,
    payload jsonb,
    CONSTRAINT audit_log_action_check CHECK (action IN ('INSERT', 'UPDATE', 'DELETE'))
);

COMMENT ON TABLE audit_log IS 'Append-only change history written by the application.';

CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at);
