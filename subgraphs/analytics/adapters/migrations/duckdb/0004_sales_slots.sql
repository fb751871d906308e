-- Orders and GMV per quarter hour (epoch seconds, a multiple of 900) × restaurant × H3
-- zone, maintained at ingestion: the slots a batch's order.created events fall in are
-- recomputed from the events, each event id counted once, in the write's transaction
-- (see the ClickHouse migration for how two writers stay exact there; reads are the same).
CREATE TABLE IF NOT EXISTS sales_slots (
  slot BIGINT NOT NULL,
  restaurant_id VARCHAR NOT NULL,
  zone VARCHAR NOT NULL,
  orders BIGINT NOT NULL,
  gmv_minor BIGINT NOT NULL
);

INSERT INTO sales_slots SELECT t // 900 * 900 AS slot, rid, z, count(*), CAST(coalesce(sum(amt), 0) AS BIGINT) FROM (
  SELECT any_value(occurred_at) AS t, any_value(restaurant_id) AS rid, any_value(zone) AS z, any_value(amount_minor) AS amt
  FROM events WHERE event_type = 'order.created' GROUP BY event_id
) GROUP BY slot, rid, z;
