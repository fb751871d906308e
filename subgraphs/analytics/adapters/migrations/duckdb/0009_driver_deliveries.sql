-- Drivers' delivered orders per UTC day × driver with each one's order total (see the
-- ClickHouse migration 0009); the one writer adds a batch's new deliveries to the row.
CREATE TABLE IF NOT EXISTS driver_deliveries (
  day BIGINT NOT NULL,
  driver_id VARCHAR NOT NULL,
  deliveries BIGINT NOT NULL,
  totals BIGINT[] NOT NULL
);

INSERT INTO driver_deliveries SELECT day, did, count(*), list(tot) FROM (
  SELECT min(occurred_at) // 86400 * 86400 AS day, driver_id AS did, max(order_total_minor) AS tot
  FROM events WHERE event_type = 'delivery.status.changed' AND status_to = 'delivered' AND driver_id != '' AND order_placed_at != 0
  GROUP BY driver_id, order_id
) GROUP BY day, did;
