-- Delivery times per UTC day of placement × part (0 total, 1 acceptance, 2 kitchen,
-- 3 pickup, 4 drive) × duration in whole seconds: how many delivered orders took that
-- long (see the ClickHouse migration 0008). The one writer adds each new delivered order
-- to its day's buckets in the write's transaction, one row per key.
CREATE TABLE IF NOT EXISTS delivery_seconds (
  day BIGINT NOT NULL,
  part INTEGER NOT NULL,
  seconds BIGINT NOT NULL,
  orders BIGINT NOT NULL
);

INSERT INTO delivery_seconds
WITH o AS (
  SELECT max(placed_at) AS placed, max(accepted_at) AS accepted, max(ready_at) AS ready, max(picked_at) AS picked,
    max(delivered_at) AS delivered
  FROM deliveries WHERE placed_at != 0 GROUP BY order_id
), spans AS (
  SELECT placed, 0 AS part, delivered - placed AS secs FROM o WHERE delivered > 0 AND delivered >= placed
  UNION ALL SELECT placed, 1, accepted - placed FROM o WHERE delivered > 0 AND accepted > 0 AND accepted >= placed
  UNION ALL SELECT placed, 2, ready - accepted FROM o WHERE delivered > 0 AND accepted > 0 AND ready >= accepted
  UNION ALL SELECT placed, 3, picked - ready FROM o WHERE delivered > 0 AND ready > 0 AND picked >= ready
  UNION ALL SELECT placed, 4, delivered - picked FROM o WHERE delivered > 0 AND picked > 0 AND delivered >= picked
)
SELECT placed // 86400 * 86400 AS day, part, secs, count(*) FROM spans GROUP BY day, part, secs;
