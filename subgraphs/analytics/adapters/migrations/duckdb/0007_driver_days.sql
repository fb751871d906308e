-- Drivers' online and busy minutes per UTC day × driver, recomputed at ingestion (see the
-- ClickHouse migration 0007); a day's rows are replaced in the write's transaction.
CREATE TABLE IF NOT EXISTS driver_days (
  day BIGINT NOT NULL,
  driver_id VARCHAR NOT NULL,
  online BIGINT NOT NULL,
  busy BIGINT NOT NULL,
  version BIGINT NOT NULL
);

INSERT INTO driver_days SELECT day, driver_id, online, busy, online * 1441 + busy FROM (
  SELECT occurred_at // 86400 * 86400 AS day, driver_id, count(DISTINCT occurred_at // 60) AS online,
    count(DISTINCT occurred_at // 60) FILTER (WHERE order_id != '') AS busy
  FROM events WHERE event_type = 'driver.location' AND driver_id != '' GROUP BY day, driver_id
);
