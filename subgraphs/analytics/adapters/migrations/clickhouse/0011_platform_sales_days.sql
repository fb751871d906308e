-- Platform-wide sales by restaurant and by zone read whole UTC days from these instead of
-- sales_slots (whose FINAL over a month's ~0.9M rows took 100-130 ms at 10M events): per
-- UTC day (epoch seconds of its midnight) × restaurant, and × zone, the orders and GMV,
-- recomputed at ingestion from the events for every day a batch's order.created events
-- fall in (each event id once); the version is the day's orders there (see 0004). Reads
-- take a range's partial days at its ends from sales_slots and the events.
CREATE TABLE IF NOT EXISTS restaurant_days (
  day Int64,
  restaurant_id String,
  orders UInt64,
  gmv_minor Int64
) ENGINE = ReplacingMergeTree(orders)
ORDER BY (day, restaurant_id);

CREATE TABLE IF NOT EXISTS zone_days (
  day Int64,
  zone String,
  orders UInt64,
  gmv_minor Int64
) ENGINE = ReplacingMergeTree(orders)
ORDER BY (day, zone);

INSERT INTO restaurant_days SELECT intDiv(t, 86400) * 86400 AS day, rid, count(), sum(amt) FROM (
  SELECT toInt64(any(occurred_at)) AS t, any(restaurant_id) AS rid, any(amount_minor) AS amt
  FROM events WHERE event_type = 'order.created' GROUP BY event_id
) GROUP BY day, rid;

INSERT INTO zone_days SELECT intDiv(t, 86400) * 86400 AS day, z, count(), sum(amt) FROM (
  SELECT toInt64(any(occurred_at)) AS t, any(zone) AS z, any(amount_minor) AS amt
  FROM events WHERE event_type = 'order.created' GROUP BY event_id
) GROUP BY day, z;
