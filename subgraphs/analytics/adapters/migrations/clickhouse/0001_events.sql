-- One row per domain event (schema_version 1 columns). ReplacingMergeTree collapses rows
-- with the same sorting key — an event id's type and time never change, so a redelivered
-- event has the same key — in background merges; reads say FINAL to collapse the rest.
CREATE TABLE IF NOT EXISTS events (
  event_id String,
  event_type String,
  event_version UInt16,
  schema_version UInt16,
  source String,
  subject String,
  occurred_at DateTime,
  order_id String,
  restaurant_id String,
  customer_id String,
  driver_id String,
  status_from String,
  status_to String,
  reason String,
  amount_minor Int64,
  delivery_fee_minor Int64,
  currency String,
  lat Float64,
  lng Float64,
  zone String,
  ingested_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (event_type, occurred_at, event_id);

-- One row per line of an order.created event: what top dishes count.
CREATE TABLE IF NOT EXISTS dishes (
  event_id String,
  line UInt16,
  order_id String,
  restaurant_id String,
  occurred_at DateTime,
  menu_item_id String,
  name String,
  quantity Int64,
  amount_minor Int64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (occurred_at, event_id, line);
