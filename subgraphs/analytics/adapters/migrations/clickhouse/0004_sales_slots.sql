-- Orders and GMV per quarter hour (epoch seconds, a multiple of 900) × restaurant × H3
-- zone, maintained at ingestion: after a batch's events are in, every slot the batch's
-- order.created events fall in is recomputed from the events with each event id counted
-- once, and its rows are inserted again. A row's version is its own order count: a slot's
-- events only ever grow, so the row with the most orders was computed from a superset of
-- the others' events, and two rows with as many orders from the same events (two writers
-- during a rebalance). Reads take, per key, the row with the most orders (argMax), so a
-- redelivered batch or two writers never double a figure, merged or not; the
-- ReplacingMergeTree keeps the table small by dropping the older rows on merge.
CREATE TABLE IF NOT EXISTS sales_slots (
  slot Int64,
  restaurant_id String,
  zone String,
  orders UInt64,
  gmv_minor Int64
) ENGINE = ReplacingMergeTree(orders)
ORDER BY (slot, restaurant_id, zone);

INSERT INTO sales_slots SELECT intDiv(t, 900) * 900 AS slot, rid, z, count(), sum(amt) FROM (
  SELECT toInt64(any(occurred_at)) AS t, any(restaurant_id) AS rid, any(zone) AS z, any(amount_minor) AS amt
  FROM events WHERE event_type = 'order.created' GROUP BY event_id
) GROUP BY slot, rid, z;
