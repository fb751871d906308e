-- Platform-wide rollups: the dashboards' platform-wide reads need no restaurant, zone or
-- item, and reading sales_slots or funnel_days with FINAL for them merged ~0.9M and ~0.25M
-- rows a month at 10M events (100-130 ms). These hold the same figures summed over the
-- restaurants, kept the same way (recomputed at ingestion from the events and order_steps
-- for the batch's slots and days, each event id or (order, step, ref) once; the version is
-- what only grows: a slot's orders, a day's step rows; reads take FINAL).
--
-- platform_slots: orders and GMV per quarter hour, all restaurants.
CREATE TABLE IF NOT EXISTS platform_slots (
  slot Int64,
  orders UInt64,
  gmv_minor Int64
) ENGINE = ReplacingMergeTree(orders)
ORDER BY slot;

-- funnel_platform: per UTC day of placement × step × reason, all restaurants (see
-- funnel_days, 0006).
CREATE TABLE IF NOT EXISTS funnel_platform (
  day Int64,
  step String,
  reason String,
  orders UInt64,
  amount_minor Int64,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (day, step, reason);

INSERT INTO platform_slots SELECT intDiv(t, 900) * 900 AS slot, count(), sum(amt) FROM (
  SELECT toInt64(any(occurred_at)) AS t, any(amount_minor) AS amt
  FROM events WHERE event_type = 'order.created' GROUP BY event_id
) GROUP BY slot;

INSERT INTO funnel_platform SELECT intDiv(t, 86400) * 86400 AS day, step, rsn, uniqExact(oid), sum(amt), count() FROM (
  SELECT toInt64(any(placed_at)) AS t, order_id AS oid, step, ref, any(reason) AS rsn, any(amount_minor) AS amt
  FROM order_steps GROUP BY order_id, step, ref
) GROUP BY day, step, rsn;
