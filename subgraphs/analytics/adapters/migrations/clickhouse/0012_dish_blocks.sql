-- Platform-wide top dishes read whole UTC days from dish_blocks instead of dish_slots (whose
-- FINAL over a month's ~1.65M rows took 300-360 ms at 10M events; a day × item table would
-- still hold ~0.5M rows a month). Per menu item, the order lines of aligned blocks of 2^level
-- UTC days (level 0 to 4: 1 to 16 days; start is the block's first midnight, epoch seconds, a
-- multiple of 2^level days): a range's whole days are at most two blocks per level. Level 0
-- is recomputed at ingestion from the dish lines (each (event id, line) once) for the days a
-- batch's lines fall in, then the blocks holding those days from the level-0 rows read with
-- FINAL. The version is the row's lines: a day's lines only grow, a block's row is the sum
-- of its item's day rows, each computed from a subset of their lines, so
-- the row with the most lines is the one computed from them all, and the last writer's
-- recompute of a block reads every day below complete (see dish_blocks.go).
CREATE TABLE IF NOT EXISTS dish_blocks (
  level UInt8,
  start Int64,
  menu_item_id String,
  name String,
  restaurant_id String,
  lines UInt64,
  quantity Int64,
  amount_minor Int64
) ENGINE = ReplacingMergeTree(lines)
ORDER BY (level, start, menu_item_id);

INSERT INTO dish_blocks SELECT 0, intDiv(t, 86400) * 86400 AS d, mid, max(nm), max(rid), count(), sum(qn), sum(amt) FROM (
  SELECT toInt64(any(occurred_at)) AS t, any(restaurant_id) AS rid, any(menu_item_id) AS mid, any(name) AS nm,
    any(quantity) AS qn, any(amount_minor) AS amt
  FROM dishes GROUP BY event_id, line
) GROUP BY d, mid;

INSERT INTO dish_blocks SELECT 1, intDiv(start, 172800) * 172800 AS b, menu_item_id, max(name), max(restaurant_id), sum(lines), sum(quantity), sum(amount_minor)
FROM dish_blocks FINAL WHERE level = 0 GROUP BY b, menu_item_id;

INSERT INTO dish_blocks SELECT 2, intDiv(start, 345600) * 345600 AS b, menu_item_id, max(name), max(restaurant_id), sum(lines), sum(quantity), sum(amount_minor)
FROM dish_blocks FINAL WHERE level = 1 GROUP BY b, menu_item_id;

INSERT INTO dish_blocks SELECT 3, intDiv(start, 691200) * 691200 AS b, menu_item_id, max(name), max(restaurant_id), sum(lines), sum(quantity), sum(amount_minor)
FROM dish_blocks FINAL WHERE level = 2 GROUP BY b, menu_item_id;

INSERT INTO dish_blocks SELECT 4, intDiv(start, 1382400) * 1382400 AS b, menu_item_id, max(name), max(restaurant_id), sum(lines), sum(quantity), sum(amount_minor)
FROM dish_blocks FINAL WHERE level = 3 GROUP BY b, menu_item_id;
