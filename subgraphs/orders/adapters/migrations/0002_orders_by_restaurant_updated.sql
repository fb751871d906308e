-- The restaurant live feed re-reads, every few seconds per subscriber, the restaurant's
-- orders changed since its last look (the poll that covers lost doorbells).
CREATE INDEX orders_by_restaurant_updated ON orders (restaurant_id, updated_at);
