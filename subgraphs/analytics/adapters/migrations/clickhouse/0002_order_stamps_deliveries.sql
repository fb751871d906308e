-- Events are written once (the writer drops ids it has stored, see adapters/prepare.go), so
-- reads no longer collapse duplicates: merge away those written before this layout.
OPTIMIZE TABLE events FINAL;
OPTIMIZE TABLE dishes FINAL;

-- An order's events carry its placement (time and total; the restaurant goes into
-- restaurant_id), stamped at ingestion; 0 is "not known when written".
ALTER TABLE events ADD COLUMN order_placed_at DateTime DEFAULT toDateTime(0);
ALTER TABLE events ADD COLUMN order_total_minor Int64 DEFAULT 0;

-- One row per order.created: what ingestion stamps an order's later events with.
CREATE TABLE IF NOT EXISTS orders (
  order_id String,
  placed_at DateTime,
  restaurant_id String,
  total_minor Int64
) ENGINE = ReplacingMergeTree()
ORDER BY order_id;

INSERT INTO orders SELECT order_id, occurred_at, restaurant_id, amount_minor FROM events WHERE event_type = 'order.created' AND order_id != '';

-- One row per delivered order: its milestones (0: not seen), written with the delivered
-- status change; delivery times read it by placement.
CREATE TABLE IF NOT EXISTS deliveries (
  order_id String,
  restaurant_id String,
  placed_at DateTime,
  accepted_at DateTime,
  ready_at DateTime,
  picked_at DateTime,
  delivered_at DateTime
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(placed_at)
ORDER BY (placed_at, order_id);

INSERT INTO deliveries SELECT order_id,
  anyIf(restaurant_id, event_type = 'order.created'),
  minIf(occurred_at, event_type = 'order.created'),
  minIf(occurred_at, status_to = 'accepted'),
  minIf(occurred_at, status_to = 'ready_for_pickup'),
  minIf(occurred_at, status_to = 'picked_up'),
  minIf(occurred_at, status_to = 'delivered')
FROM events WHERE event_type IN ('order.created', 'order.status.changed') AND order_id != ''
GROUP BY order_id HAVING countIf(status_to = 'delivered') > 0;
