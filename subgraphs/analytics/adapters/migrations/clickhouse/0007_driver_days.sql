-- Drivers' online and busy minutes per UTC day (epoch seconds of its midnight) × driver,
-- recomputed at ingestion from the driver.location events of every day a batch's locations
-- fall in. A minute is online when the driver sent a location in it, busy when one of them
-- carried an order. A row's version is online * 1441 + busy: a day's locations only grow,
-- so both only grow, and the row with the largest version counted them all (two rows with
-- the same version have the same figures); reads take per key the row with the largest
-- version (argMax), as for sales_slots (0004).
CREATE TABLE IF NOT EXISTS driver_days (
  day Int64,
  driver_id String,
  online UInt64,
  busy UInt64,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (day, driver_id);

INSERT INTO driver_days SELECT intDiv(toInt64(occurred_at), 86400) * 86400 AS day, driver_id,
  uniqExact(intDiv(toInt64(occurred_at), 60)) AS online, uniqExactIf(intDiv(toInt64(occurred_at), 60), order_id != '') AS busy,
  online * 1441 + busy
FROM events WHERE event_type = 'driver.location' AND driver_id != '' GROUP BY day, driver_id;
