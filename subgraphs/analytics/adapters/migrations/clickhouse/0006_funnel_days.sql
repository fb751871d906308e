-- The funnel and the rates read rollups kept at ingestion instead of the events.
--
-- order_steps: one row per order × step it reached — a funnel status (paid, accepted,
-- delivered, a drop-off with its reason) or a refund (step 'refund', one row per refund
-- event: ref is its event id, amount_minor its amount) — under the order's placement time
-- and restaurant, written with the step's event when the order's placement is known.
-- A row stored twice (two writers) counts once: reads and refreshes group by
-- (order_id, step, ref).
CREATE TABLE IF NOT EXISTS order_steps (
  placed_at DateTime,
  restaurant_id String,
  order_id String,
  step String,
  reason String,
  ref String,
  amount_minor Int64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(placed_at)
ORDER BY (placed_at, order_id, step, ref);

-- The steps written before their order's order.created (the few events that came from
-- another topic first, see unplaced): reads add those whose order was placed in the range.
CREATE TABLE IF NOT EXISTS unplaced_steps (
  order_id String,
  occurred_at DateTime,
  step String,
  reason String,
  ref String,
  amount_minor Int64
) ENGINE = ReplacingMergeTree()
ORDER BY (order_id, step, ref);

-- funnel_days: per UTC day of placement (epoch seconds of its midnight) × restaurant ×
-- step × reason, the orders that reached the step, the refund events and their amount,
-- recomputed from order_steps (each (order, step, ref) once) for every day a batch's steps
-- fall in. A row's version is the number of distinct step rows it was computed from: a
-- day's step rows only ever grow, so the row with the largest version saw them all; reads
-- take per key the row with the largest version (argMax), as for sales_slots (0004).
CREATE TABLE IF NOT EXISTS funnel_days (
  day Int64,
  restaurant_id String,
  step String,
  reason String,
  orders UInt64,
  amount_minor Int64,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (day, restaurant_id, step, reason);

INSERT INTO order_steps SELECT order_placed_at, restaurant_id, order_id,
  if(event_type = 'payment.refunded', 'refund', status_to), if(event_type = 'payment.refunded', '', reason),
  if(event_type = 'payment.refunded', event_id, ''), if(event_type = 'payment.refunded', amount_minor, 0)
FROM events WHERE order_id != '' AND order_placed_at != toDateTime(0) AND (event_type = 'payment.refunded'
  OR event_type = 'order.status.changed' AND status_to IN ('paid', 'accepted', 'delivered', 'cancelled', 'payment_failed', 'rejected', 'delivery_failed'));

INSERT INTO unplaced_steps SELECT order_id, occurred_at,
  if(event_type = 'payment.refunded', 'refund', status_to), if(event_type = 'payment.refunded', '', reason),
  if(event_type = 'payment.refunded', event_id, ''), if(event_type = 'payment.refunded', amount_minor, 0)
FROM events WHERE order_id != '' AND order_placed_at = toDateTime(0) AND (event_type = 'payment.refunded'
  OR event_type = 'order.status.changed' AND status_to IN ('paid', 'accepted', 'delivered', 'cancelled', 'payment_failed', 'rejected', 'delivery_failed'));

INSERT INTO funnel_days SELECT intDiv(t, 86400) * 86400 AS day, rid, step, rsn, uniqExact(oid), sum(amt), count() FROM (
  SELECT toInt64(any(placed_at)) AS t, any(restaurant_id) AS rid, order_id AS oid, step, ref, any(reason) AS rsn, any(amount_minor) AS amt
  FROM order_steps GROUP BY order_id, step, ref
) GROUP BY day, rid, step, rsn;
