-- One row per domain event (schema_version 1 columns). The primary key refuses a second
-- row for an event id: writes insert with ON CONFLICT DO NOTHING. Times are epoch seconds.
CREATE TABLE IF NOT EXISTS events (
  event_id VARCHAR PRIMARY KEY,
  event_type VARCHAR NOT NULL,
  event_version USMALLINT NOT NULL,
  schema_version USMALLINT NOT NULL,
  source VARCHAR NOT NULL,
  subject VARCHAR NOT NULL,
  occurred_at BIGINT NOT NULL,
  order_id VARCHAR NOT NULL,
  restaurant_id VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  driver_id VARCHAR NOT NULL,
  status_from VARCHAR NOT NULL,
  status_to VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  amount_minor BIGINT NOT NULL,
  delivery_fee_minor BIGINT NOT NULL,
  currency VARCHAR NOT NULL,
  lat DOUBLE NOT NULL,
  lng DOUBLE NOT NULL,
  zone VARCHAR NOT NULL,
  ingested_at TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS dishes (
  event_id VARCHAR NOT NULL,
  line USMALLINT NOT NULL,
  order_id VARCHAR NOT NULL,
  restaurant_id VARCHAR NOT NULL,
  occurred_at BIGINT NOT NULL,
  menu_item_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  quantity BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  PRIMARY KEY (event_id, line)
);
