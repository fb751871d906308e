-- Order lines per quarter hour × restaurant × menu item, kept at ingestion like
-- sales_slots (migration 0004): a slot's rows are recomputed from the dish lines, each
-- (event id, line) once, after every batch with lines in it; a row's version is its number
-- of lines (a key's lines only ever grow), and reads take per key the row with the most.
CREATE TABLE IF NOT EXISTS dish_slots (
  slot Int64,
  restaurant_id String,
  menu_item_id String,
  name String,
  lines UInt64,
  quantity Int64,
  amount_minor Int64
) ENGINE = ReplacingMergeTree(lines)
ORDER BY (slot, restaurant_id, menu_item_id);

INSERT INTO dish_slots SELECT intDiv(t, 900) * 900 AS slot, rid, mid, any(nm), count(), sum(qn), sum(amt) FROM (
  SELECT toInt64(any(occurred_at)) AS t, any(restaurant_id) AS rid, any(menu_item_id) AS mid, any(name) AS nm,
    any(quantity) AS qn, any(amount_minor) AS amt
  FROM dishes GROUP BY event_id, line
) GROUP BY slot, rid, mid;
