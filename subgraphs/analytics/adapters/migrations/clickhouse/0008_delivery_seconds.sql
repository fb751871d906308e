-- Delivery times per UTC day of placement (epoch seconds of its midnight) × part (0 total,
-- 1 acceptance, 2 kitchen, 3 pickup, 4 drive) × duration in whole seconds: how many
-- delivered orders took that long, recomputed at ingestion from deliveries (each order once,
-- its rows merged) for every day of placement a batch's order steps fall in. Times are
-- seconds, so the 1-second buckets lose nothing: quantiles read from them are exact. A
-- bucket's count only grows (a day's delivered orders only grow, an order's milestones never
-- change), so it is the row's version: reads take per key the row with the most orders
-- (FINAL), as for sales_slots (0004). Orders written before their order.created
-- (deliveries.placed_at 0) are not here: reads take them from deliveries and the events.
CREATE TABLE IF NOT EXISTS delivery_seconds (
  day Int64,
  part UInt8,
  seconds Int64,
  orders UInt64
) ENGINE = ReplacingMergeTree(orders)
ORDER BY (day, part, seconds);

INSERT INTO delivery_seconds SELECT intDiv(placed, 86400) * 86400 AS day, part, secs, count() FROM (
  SELECT placed, [0, 1, 2, 3, 4] AS parts,
    [delivered - placed, accepted - placed, ready - accepted, picked - ready, delivered - picked] AS spans,
    [delivered >= placed, accepted > 0 AND accepted >= placed, accepted > 0 AND ready >= accepted,
     ready > 0 AND picked >= ready, picked > 0 AND delivered >= picked] AS oks
  FROM (SELECT order_id, max(toInt64(placed_at)) AS placed, max(toInt64(accepted_at)) AS accepted, max(toInt64(ready_at)) AS ready,
    max(toInt64(picked_at)) AS picked, max(toInt64(delivered_at)) AS delivered
    FROM deliveries WHERE placed_at != toDateTime(0) GROUP BY order_id)
  WHERE placed > 0 AND delivered > 0
) ARRAY JOIN parts AS part, spans AS secs, oks AS ok WHERE ok GROUP BY day, part, secs;
