-- Locking on accounts is pessimistic, and now the schema says only that. accounts.version
-- was written by wallet_post on every movement and read by nobody: no writer compared it
-- (every writer locks the account rows it moves, FOR UPDATE in account-id order, inside
-- wallet_post), no query, API or report used it, and as a change counter it duplicated
-- audit_seq (one per movement too, and verified by verify-audit). A column that looks
-- like an optimistic lock but is not one invites a reader to trust it, so it goes:
-- wallet_post stops writing it (same signature, CREATE OR REPLACE), then the column is
-- dropped. Forward-only; the rest of wallet_post is 0005's, unchanged.
CREATE OR REPLACE FUNCTION wallet_post(
    p_tx_id uuid, p_key text, p_request_hash bytea,
    p_kind text, p_order_id text, p_ref_tx uuid, p_counterparty text, p_amount bigint, p_currency text,
    p_accounts text[], p_account_kinds text[], p_owners text[], p_currencies text[],
    p_allow_negative boolean[], p_amounts bigint[],
    p_actor text, p_reason text, p_trace text,
    p_audit_ipad bytea, p_audit_opad bytea,
    OUT status text, OUT tx_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
    v_hash   bytea;
    v_status text;
    v_tx     uuid;
    v_n      int := cardinality(p_accounts);
    v_locked int;
    v_us     bigint := (extract(epoch FROM now()) * 1000000)::bigint;
BEGIN
    -- The domain only builds balanced transactions; refuse anything else that gets here.
    IF octet_length(p_audit_ipad) IS DISTINCT FROM 64 OR octet_length(p_audit_opad) IS DISTINCT FROM 64 THEN
        RAISE EXCEPTION 'wallet_post %: the audit key pads must be 64 bytes each', p_tx_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_currencies, p_amounts) AS x(c, a) GROUP BY x.c HAVING sum(x.a) <> 0) THEN
        RAISE EXCEPTION 'wallet_post %: postings do not sum to zero per currency', p_tx_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF p_key IS NOT NULL THEN
        SELECT i.request_hash, i.status, i.tx_id INTO v_hash, v_status, v_tx
            FROM idempotency_keys i WHERE i.key = p_key;
        IF FOUND THEN
            IF v_hash <> p_request_hash THEN
                status := 'conflict';
            ELSE
                status := 'replayed:' || v_status; tx_id := v_tx;
            END IF;
            RETURN;
        END IF;
    END IF;

    SELECT count(*) INTO v_locked FROM (
        SELECT a.id FROM accounts a WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR UPDATE) l;
    IF v_locked < v_n THEN
        INSERT INTO accounts (id, kind, owner, currency, allow_negative)
            SELECT * FROM unnest(p_accounts, p_account_kinds, p_owners, p_currencies, p_allow_negative)
            ORDER BY 1
            ON CONFLICT DO NOTHING;
        PERFORM 1 FROM accounts a WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR UPDATE;
    END IF;

    IF EXISTS (SELECT 1 FROM accounts a JOIN unnest(p_accounts, p_amounts) AS d(id, amt) ON a.id = d.id
               WHERE NOT a.allow_negative AND a.balance + d.amt < 0) THEN
        IF p_key IS NOT NULL THEN
            INSERT INTO idempotency_keys (key, request_hash, status) VALUES (p_key, p_request_hash, 'insufficient_funds');
        END IF;
        status := 'insufficient_funds';
        RETURN;
    END IF;

    INSERT INTO transactions (id, kind, order_id, ref_tx_id, counterparty, amount, currency, idempotency_key, actor, reason, trace_id)
        VALUES (p_tx_id, p_kind, p_order_id, p_ref_tx, p_counterparty, p_amount, p_currency, p_key, p_actor, p_reason, p_trace);

    WITH d AS (
        SELECT a.id, a.currency, x.amt, a.balance + x.amt AS bal, a.audit_seq + 1 AS seq, a.audit_head AS prev
        FROM accounts a JOIN unnest(p_accounts, p_amounts) AS x(id, amt) ON a.id = x.id
    ), h AS (
        SELECT d.*, sha256(p_audit_opad || sha256(p_audit_ipad || d.prev || audit_canonical(d.id, d.seq, p_tx_id, p_kind,
            d.currency, d.amt, d.bal, p_actor, p_reason, p_trace, v_us))) AS hash
        FROM d
    ), upd AS (
        UPDATE accounts a SET balance = h.bal, audit_seq = h.seq, audit_head = h.hash
        FROM h WHERE a.id = h.id
    ), post AS (
        INSERT INTO postings (tx_id, account_id, currency, amount) SELECT p_tx_id, h.id, h.currency, h.amt FROM h
    )
    INSERT INTO audit_log (account_id, seq, tx_id, kind, currency, amount, balance_after, actor, reason, trace_id, at_us, prev_hash, hash, keyed)
        SELECT h.id, h.seq, p_tx_id, p_kind, h.currency, h.amt, h.bal, p_actor, p_reason, p_trace, v_us, h.prev, h.hash, true FROM h;

    IF p_key IS NOT NULL THEN
        INSERT INTO idempotency_keys (key, request_hash, status, tx_id) VALUES (p_key, p_request_hash, 'ok', p_tx_id);
    END IF;
    status := 'ok'; tx_id := p_tx_id;
END
$$;

ALTER TABLE accounts DROP COLUMN version;

COMMENT ON TABLE accounts IS
    'balances are row-locked (pessimistic): wallet_post locks every account it moves, in id order, before changing it; there is no version column to compare';
