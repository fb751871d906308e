-- The funnel and the rates read rollups kept at ingestion instead of the events (see the
-- ClickHouse migration 0006 for the tables; times are epoch seconds here). The rollup rows
-- of a day are replaced in the write's transaction, one row per key.
CREATE TABLE IF NOT EXISTS order_steps (
  placed_at BIGINT NOT NULL,
  restaurant_id VARCHAR NOT NULL,
  order_id VARCHAR NOT NULL,
  step VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  ref VARCHAR NOT NULL,
  amount_minor BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS unplaced_steps (
  order_id VARCHAR NOT NULL,
  occurred_at BIGINT NOT NULL,
  step VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  ref VARCHAR NOT NULL,
  amount_minor BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS funnel_days (
  day BIGINT NOT NULL,
  restaurant_id VARCHAR NOT NULL,
  step VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  orders BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  version BIGINT NOT NULL
);

INSERT INTO order_steps SELECT order_placed_at, restaurant_id, order_id,
  CASE WHEN event_type = 'payment.refunded' THEN 'refund' ELSE status_to END,
  CASE WHEN event_type = 'payment.refunded' THEN '' ELSE reason END,
  CASE WHEN event_type = 'payment.refunded' THEN event_id ELSE '' END,
  CASE WHEN event_type = 'payment.refunded' THEN amount_minor ELSE 0 END
FROM events WHERE order_id != '' AND order_placed_at != 0 AND (event_type = 'payment.refunded'
  OR event_type = 'order.status.changed' AND status_to IN ('paid', 'accepted', 'delivered', 'cancelled', 'payment_failed', 'rejected', 'delivery_failed'))
ORDER BY order_placed_at;

INSERT INTO unplaced_steps SELECT order_id, occurred_at,
  CASE WHEN event_type = 'payment.refunded' THEN 'refund' ELSE status_to END,
  CASE WHEN event_type = 'payment.refunded' THEN '' ELSE reason END,
  CASE WHEN event_type = 'payment.refunded' THEN event_id ELSE '' END,
  CASE WHEN event_type = 'payment.refunded' THEN amount_minor ELSE 0 END
FROM events WHERE order_id != '' AND order_placed_at = 0 AND (event_type = 'payment.refunded'
  OR event_type = 'order.status.changed' AND status_to IN ('paid', 'accepted', 'delivered', 'cancelled', 'payment_failed', 'rejected', 'delivery_failed'));

INSERT INTO funnel_days SELECT t // 86400 * 86400 AS day, rid, step, rsn, count(DISTINCT oid),
  CAST(coalesce(sum(amt), 0) AS BIGINT), count(*) FROM (
  SELECT any_value(placed_at) AS t, any_value(restaurant_id) AS rid, order_id AS oid, step, ref, any_value(reason) AS rsn,
    any_value(amount_minor) AS amt
  FROM order_steps GROUP BY order_id, step, ref
) GROUP BY day, rid, step, rsn;
