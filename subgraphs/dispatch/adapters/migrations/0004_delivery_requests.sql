-- An order accepted before dispatch saw its order.created (the two travel on different
-- topics) cannot get its delivery yet: the drop-off is in order.created. The acceptance
-- waits here and order.created creates the delivery, instead of the acceptance being
-- retried until it is dead-lettered and the order waits for an operator.
CREATE TABLE delivery_requests (
    order_id     text PRIMARY KEY,
    requested_at timestamptz NOT NULL DEFAULT now()
);
