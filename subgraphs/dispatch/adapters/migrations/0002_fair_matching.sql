-- Fair matching: the queue is served oldest delivery first (created_at); an order that
-- waits out a retry backoff is pulled forward whenever a younger one is due and it has
-- not had a round since (last_round_at); and it escalates after waiting too long for a
-- driver, counted from waiting_since (when it last entered CREATED: its creation, or its
-- courier handing it back).
ALTER TABLE deliveries ADD COLUMN waiting_since timestamptz NOT NULL DEFAULT now();
ALTER TABLE deliveries ADD COLUMN last_round_at timestamptz;
UPDATE deliveries SET waiting_since = greatest(created_at, coalesce(
    (SELECT max(t.at) FROM delivery_transitions t WHERE t.delivery_id = deliveries.id AND t.to_status = 'CREATED'), created_at));
CREATE INDEX deliveries_waiting ON deliveries (created_at) WHERE status = 'CREATED' AND escalated_at IS NULL;
