-- 0005: link payments to orders and speed up provider webhooks.
--
-- Deliberate problems (see ../README.md):
--   * The foreign key is added without NOT VALID, so every existing payment is checked
--     while writes to payments are blocked; payments.order_id also stays unindexed.
--   * The webhook index is built without CONCURRENTLY on a table that already holds data,
--     blocking writes for the whole build.

ALTER TABLE payments
    ADD CONSTRAINT payments_order_id_fkey FOREIGN KEY (order_id)
    REFERENCES orders (id) ON DELETE RESTRICT;

CREATE INDEX payments_provider_ref_idx ON payments (provider, provider_ref);
