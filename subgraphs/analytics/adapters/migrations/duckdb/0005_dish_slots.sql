-- Order lines per quarter hour × restaurant × menu item, kept at ingestion like
-- sales_slots (migration 0004).
CREATE TABLE IF NOT EXISTS dish_slots (
  slot BIGINT NOT NULL,
  restaurant_id VARCHAR NOT NULL,
  menu_item_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  lines BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL
);

INSERT INTO dish_slots SELECT t // 900 * 900 AS slot, rid, mid, any_value(nm), count(*),
  CAST(coalesce(sum(qn), 0) AS BIGINT), CAST(coalesce(sum(amt), 0) AS BIGINT) FROM (
  SELECT any_value(occurred_at) AS t, any_value(restaurant_id) AS rid, any_value(menu_item_id) AS mid, any_value(name) AS nm,
    any_value(quantity) AS qn, any_value(amount_minor) AS amt
  FROM dishes GROUP BY event_id, line
) GROUP BY slot, rid, mid;
