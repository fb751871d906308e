-- The order events written before their order's order.created (order_placed_at 0): the few
-- rows queries join with orders by id, found here without scanning the events.
CREATE TABLE IF NOT EXISTS unplaced (
  event_type VARCHAR NOT NULL,
  occurred_at BIGINT NOT NULL,
  order_id VARCHAR NOT NULL
);

INSERT INTO unplaced SELECT event_type, occurred_at, order_id FROM events
WHERE event_type != 'order.created' AND order_id != '' AND order_placed_at = 0;
