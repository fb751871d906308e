-- The ledger's functions look rows up by key only (accounts, idempotency keys, and the
-- foreign-key checks of every posting against transactions and accounts), yet a backend
-- plans those statements once and keeps the plan: planned while the tables were small (a
-- fresh schema, the first minute after deploying one), they kept sequential scans as the
-- tables grew. Measured with auto_explain on one batch of 20 PayOrders after 2,000 (50
-- accounts): 218 ms with the plans made before any statistics (each posting's check
-- against transactions a 26 ms sequential scan), 61 ms once ANALYZE had replanned them.
-- Every statement there is driven by a handful of keys (the batch's arrays), so the
-- right plan is always key lookups: planning these functions' statements (the checks
-- their inserts fire included) with sequential scans, hash and merge joins off makes
-- every plan index-driven nested loops whatever the statistics say (the batch's accounts
-- update, planned on stale statistics, hashed every account: 13.7 ms for 37 rows).
ALTER FUNCTION wallet_post(uuid, text, bytea, text, text, uuid, text, bigint, text, text[], text[], text[], text[],
    boolean[], bigint[], text, text, text, bytea, bytea) SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
ALTER FUNCTION wallet_post_batch(uuid[], text[], bytea[], text[], text[], uuid[], text[], bigint[], text[],
    text[], text[], text[], int[], int[], text[], text[], text[], text[], boolean[], bigint[], bytea, bytea)
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
