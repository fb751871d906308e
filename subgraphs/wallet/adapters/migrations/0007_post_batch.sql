-- wallet_post_batch applies many independent operations in one statement, one round
-- trip and one transaction (the batcher in adapters/ledger_batcher.go coalesces
-- concurrent Posts into it): the per-transaction costs (commit and WAL flush, round
-- trip, snapshot, plan) are paid once per batch instead of once per operation.
--
-- Each operation is wallet_post's, unchanged (idempotency, the one-payment-per-order
-- index, the non-negative rule, the keyed audit chain), run in its own subtransaction:
-- an operation that fails (a second payment of one order, a broken constraint) rolls
-- back alone and is reported in its row; its neighbours commit. A business refusal
-- (insufficient_funds) is an outcome, as in wallet_post.
--
-- Operation i's postings are p_accounts[p_post_from[i] : p_post_from[i] + p_post_count[i] - 1]
-- (and the same slice of the other posting arrays). Before any operation runs, every
-- account the batch moves is created if missing and locked, all in account-id order, so
-- two batches touching the same accounts queue instead of deadlocking; wallet_post's
-- own lock then finds the rows already held. At most 64 operations per batch, so that
-- the subtransactions stay within PostgreSQL's per-backend subxid cache (beyond it every
-- snapshot in the cluster gets slower).
--
-- Returns one row per operation (op is its 1-based index): status and tx_id as
-- wallet_post answers, or status 'error' with the SQLSTATE, the constraint and the
-- message of what failed it (err_code, err_constraint, err_message).
CREATE FUNCTION wallet_post_batch(
    p_tx_ids uuid[], p_keys text[], p_request_hashes bytea[],
    p_kinds text[], p_order_ids text[], p_ref_txs uuid[], p_counterparties text[], p_amounts bigint[], p_currencies text[],
    p_actors text[], p_reasons text[], p_traces text[],
    p_post_from int[], p_post_count int[],
    p_accounts text[], p_account_kinds text[], p_owners text[], p_account_currencies text[],
    p_allow_negative boolean[], p_post_amounts bigint[],
    p_audit_ipad bytea, p_audit_opad bytea)
RETURNS TABLE (op int, status text, tx_id uuid, err_code text, err_constraint text, err_message text)
LANGUAGE plpgsql AS $$
DECLARE
    v_n      int := cardinality(p_tx_ids);
    v_ids    text[];
    v_locked int;
    v_from   int;
    v_to     int;
BEGIN
    IF v_n > 64 THEN
        RAISE EXCEPTION 'wallet_post_batch: % operations, at most 64', v_n USING ERRCODE = 'program_limit_exceeded';
    END IF;
    SELECT array_agg(DISTINCT a ORDER BY a) INTO v_ids FROM unnest(p_accounts) AS a;
    SELECT count(*) INTO v_locked FROM (
        SELECT a.id FROM accounts a WHERE a.id = ANY (v_ids) ORDER BY a.id FOR UPDATE) l;
    IF v_locked < cardinality(v_ids) THEN
        INSERT INTO accounts (id, kind, owner, currency, allow_negative)
            SELECT DISTINCT ON (x.id) x.id, x.kind, x.owner, x.cur, x.neg
            FROM unnest(p_accounts, p_account_kinds, p_owners, p_account_currencies, p_allow_negative) AS x(id, kind, owner, cur, neg)
            ORDER BY x.id
            ON CONFLICT DO NOTHING;
        PERFORM 1 FROM accounts a WHERE a.id = ANY (v_ids) ORDER BY a.id FOR UPDATE;
    END IF;

    FOR i IN 1 .. v_n LOOP
        op := i; status := NULL; tx_id := NULL; err_code := NULL; err_constraint := NULL; err_message := NULL;
        v_from := p_post_from[i];
        v_to := p_post_from[i] + p_post_count[i] - 1;
        BEGIN
            SELECT w.status, w.tx_id INTO status, tx_id FROM wallet_post(
                p_tx_ids[i], p_keys[i], p_request_hashes[i],
                p_kinds[i], p_order_ids[i], p_ref_txs[i], p_counterparties[i], p_amounts[i], p_currencies[i],
                p_accounts[v_from:v_to], p_account_kinds[v_from:v_to], p_owners[v_from:v_to],
                p_account_currencies[v_from:v_to], p_allow_negative[v_from:v_to], p_post_amounts[v_from:v_to],
                p_actors[i], p_reasons[i], p_traces[i], p_audit_ipad, p_audit_opad) AS w;
        EXCEPTION WHEN OTHERS THEN
            status := 'error';
            GET STACKED DIAGNOSTICS err_code = RETURNED_SQLSTATE, err_constraint = CONSTRAINT_NAME, err_message = MESSAGE_TEXT;
        END;
        RETURN NEXT;
    END LOOP;
END
$$;
