-- A courier freed while a delivery's matching round is running (it is leased) must not
-- be lost to that round's reschedule: woken_at records the wake, and the reschedule keeps
-- the delivery due when it was woken after its round began (last_round_at).
ALTER TABLE deliveries ADD COLUMN woken_at timestamptz;
