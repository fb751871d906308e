-- Drivers' delivered orders per UTC day (of the delivered event) × driver: how many, and
-- each one's order total (the wallet pays a share of it, rounded down per order, and the
-- share is a setting of the read: so the totals, not a sum). Recomputed at ingestion from
-- the delivered delivery events of every day a batch's fall in, each (driver, order) once;
-- its count only grows, so it is the row's version (reads: FINAL). Events stored before
-- their order's placement (order_placed_at 0) are not here: reads take them from the events.
CREATE TABLE IF NOT EXISTS driver_deliveries (
  day Int64,
  driver_id String,
  deliveries UInt64,
  totals Array(Int64)
) ENGINE = ReplacingMergeTree(deliveries)
ORDER BY (day, driver_id);

INSERT INTO driver_deliveries SELECT day, did, count(), groupArray(tot) FROM (
  SELECT intDiv(toInt64(min(occurred_at)), 86400) * 86400 AS day, driver_id AS did, max(order_total_minor) AS tot
  FROM events WHERE event_type = 'delivery.status.changed' AND status_to = 'delivered' AND driver_id != ''
    AND order_placed_at != toDateTime(0)
  GROUP BY driver_id, order_id
) GROUP BY day, did;
