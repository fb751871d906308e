-- Orders the wallet has seen end before delivery (cancelled, rejected, payment_failed,
-- delivery_failed), recorded even when there was nothing to refund. order.created and
-- order.status.changed travel on different topics, so the ending may arrive first: a
-- charge for an order recorded here is refused (see app/saga.go). Saga steps about one
-- order serialize on a transaction-scoped advisory lock of the order id (LockOrder), so
-- a charge and an ending processed at the same moment cannot both miss each other.
CREATE TABLE order_endings (
    order_id    text        PRIMARY KEY,
    status      text        NOT NULL,
    reason      text        NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL DEFAULT now()
);
