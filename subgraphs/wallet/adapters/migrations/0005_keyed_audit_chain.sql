-- The audit chain becomes keyed: each new row's hash is
-- HMAC-SHA256(key, prev_hash || canonical row), computed as
-- sha256(opad || sha256(ipad || prev_hash || canonical row)) with ipad = key XOR 0x36..,
-- opad = key XOR 0x5c.. (RFC 2104, key padded to the 64-byte block). The key lives in the
-- wallet's configuration (WALLET_AUDIT_KEY), never in this database: the process passes
-- the two pads with every call, so someone who can write the tables (and disable the
-- append-only triggers) cannot forge a chain that verifies. Rows written before this
-- migration keep their plain sha256 links (keyed = false); verify-audit checks each row
-- by its own rule, and a keyed row can never be followed by an unkeyed one.
ALTER TABLE audit_log ADD COLUMN keyed boolean NOT NULL DEFAULT false;

-- From when every row must be keyed: verify-audit refuses an unkeyed row written after
-- this instant (flipping rows to unkeyed and re-hashing them with plain sha256 would
-- otherwise pass). Append-only like the log.
CREATE TABLE audit_keying (keyed_since_us bigint NOT NULL);
INSERT INTO audit_keying VALUES ((extract(epoch FROM now()) * 1000000)::bigint);
CREATE TRIGGER audit_keying_append_only BEFORE UPDATE OR DELETE ON audit_keying
    FOR EACH ROW EXECUTE FUNCTION wallet_append_only();

DROP FUNCTION wallet_post(uuid, text, bytea, text, text, uuid, text, bigint, text, text[], text[], text[], text[],
    boolean[], bigint[], text, text, text);

CREATE FUNCTION wallet_post(
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
        UPDATE accounts a SET balance = h.bal, version = a.version + 1, audit_seq = h.seq, audit_head = h.hash
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
