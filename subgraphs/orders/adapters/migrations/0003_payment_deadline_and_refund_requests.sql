-- The durable payment timer: set while PLACED, scanned with SKIP LOCKED like accept_by.
-- Orders placed before this migration get the default deadline (2 minutes) from their
-- placing time, so a deployment does not leave them waiting forever.
ALTER TABLE orders ADD COLUMN pay_by timestamptz;
UPDATE orders SET pay_by = placed_at + interval '2 minutes' WHERE status = 'PLACED';
CREATE INDEX orders_payment_due ON orders (pay_by) WHERE status = 'PLACED';

-- A timeline entry may be a compensation instead of a status change (from = to): a
-- payment that reached the order when it could no longer be paid, and the refund the
-- order asked the wallet for. One per payment, whatever redeliveries happen.
ALTER TABLE order_transitions ADD COLUMN refund_of text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX order_transitions_one_refund_request_per_payment
    ON order_transitions (order_id, refund_of) WHERE refund_of <> '';
