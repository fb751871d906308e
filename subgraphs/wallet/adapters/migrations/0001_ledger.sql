-- The wallet's double-entry ledger. See adapters/doc.go for the design.

-- One account per (kind, owner, currency); id is "kind:owner:CUR". balance is the
-- materialized sum of the account's postings; version counts the changes (optimistic
-- locking for readers that compare versions). audit_seq/audit_head are the tip of the
-- account's audit hash chain, kept here because the row is locked anyway when it moves.
CREATE TABLE accounts (
    id             text        PRIMARY KEY,
    kind           text        NOT NULL,
    owner          text        NOT NULL,
    currency       text        NOT NULL,
    allow_negative boolean     NOT NULL DEFAULT false,
    balance        bigint      NOT NULL DEFAULT 0,
    version        bigint      NOT NULL DEFAULT 0,
    audit_seq      bigint      NOT NULL DEFAULT 0,
    audit_head     bytea       NOT NULL DEFAULT ''::bytea,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- The last line of defence: the function checks first and answers
    -- insufficient_funds; this constraint makes a bug an error, never a negative wallet.
    CONSTRAINT balance_not_negative CHECK (allow_negative OR balance >= 0)
);
CREATE INDEX accounts_owner ON accounts (owner);

CREATE TABLE transactions (
    id              uuid        PRIMARY KEY,
    kind            text        NOT NULL,
    order_id        text,
    ref_tx_id       uuid        REFERENCES transactions (id),
    -- The restaurant of an order payment: settlement and late refunds need it.
    counterparty    text,
    amount          bigint      NOT NULL,
    currency        text        NOT NULL,
    idempotency_key text,
    actor           text        NOT NULL,
    reason          text        NOT NULL DEFAULT '',
    trace_id        text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- An order is paid once and settled once, whatever idempotency keys callers use.
CREATE UNIQUE INDEX transactions_one_payment_per_order ON transactions (order_id) WHERE kind = 'order_payment';
CREATE UNIQUE INDEX transactions_one_settlement_per_order ON transactions (order_id) WHERE kind = 'settlement';
CREATE INDEX transactions_order ON transactions (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE postings (
    seq        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx_id      uuid        NOT NULL REFERENCES transactions (id),
    account_id text        NOT NULL REFERENCES accounts (id),
    currency   text        NOT NULL,
    amount     bigint      NOT NULL CHECK (amount <> 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX postings_account ON postings (account_id, seq);
CREATE INDEX postings_tx ON postings (tx_id);

-- Same key + same request hash -> the stored outcome; same key + another hash -> conflict.
-- Business refusals (insufficient_funds) are outcomes too, so a retry sees the same answer.
CREATE TABLE idempotency_keys (
    key          text        PRIMARY KEY,
    request_hash bytea       NOT NULL,
    status       text        NOT NULL,
    tx_id        uuid,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Every cent movement, per account, hash-chained per account:
-- hash = sha256(prev_hash || canonical row), canonical row as in audit_canonical below.
-- Chaining per account (not globally) keeps unrelated operations from queueing on one
-- chain head: the account row is locked by the movement anyway.
CREATE TABLE audit_log (
    account_id    text        NOT NULL,
    seq           bigint      NOT NULL,
    tx_id         uuid        NOT NULL,
    kind          text        NOT NULL,
    currency      text        NOT NULL,
    amount        bigint      NOT NULL,
    balance_after bigint      NOT NULL,
    actor         text        NOT NULL,
    reason        text        NOT NULL,
    trace_id      text        NOT NULL,
    at_us         bigint      NOT NULL,
    prev_hash     bytea       NOT NULL,
    hash          bytea       NOT NULL,
    PRIMARY KEY (account_id, seq)
);

CREATE FUNCTION audit_canonical(account_id text, seq bigint, tx_id uuid, kind text, currency text,
    amount bigint, balance_after bigint, actor text, reason text, trace_id text, at_us bigint)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(concat_ws('|', account_id, seq, tx_id, kind, currency, amount, balance_after,
        actor, reason, trace_id, at_us), 'UTF8')
$$;

-- Postings, transactions and the audit log are append-only.
CREATE FUNCTION wallet_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'wallet: % on % is not allowed: the ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION wallet_append_only();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION wallet_append_only();
CREATE TRIGGER transactions_append_only BEFORE UPDATE OR DELETE ON transactions
    FOR EACH ROW EXECUTE FUNCTION wallet_append_only();
CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON transactions
    FOR EACH STATEMENT EXECUTE FUNCTION wallet_append_only();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION wallet_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION wallet_append_only();

-- wallet_post applies one balanced transaction in one statement (one round trip):
-- idempotency check, account creation, row locks in account-id order (so two
-- transactions touching the same accounts never deadlock), the negative-balance rule,
-- the transaction, its postings, balance/version updates and the audit chain.
-- Returns status 'ok', 'insufficient_funds', 'conflict' (key reused with another
-- request), or 'replayed:<status>' with the original transaction id.
CREATE FUNCTION wallet_post(
    p_tx_id uuid, p_key text, p_request_hash bytea,
    p_kind text, p_order_id text, p_ref_tx uuid, p_counterparty text, p_amount bigint, p_currency text,
    p_accounts text[], p_account_kinds text[], p_owners text[], p_currencies text[],
    p_allow_negative boolean[], p_amounts bigint[],
    p_actor text, p_reason text, p_trace text,
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
        SELECT d.*, sha256(d.prev || audit_canonical(d.id, d.seq, p_tx_id, p_kind, d.currency, d.amt, d.bal,
            p_actor, p_reason, p_trace, v_us)) AS hash
        FROM d
    ), upd AS (
        UPDATE accounts a SET balance = h.bal, version = a.version + 1, audit_seq = h.seq, audit_head = h.hash
        FROM h WHERE a.id = h.id
    ), post AS (
        INSERT INTO postings (tx_id, account_id, currency, amount) SELECT p_tx_id, h.id, h.currency, h.amt FROM h
    )
    INSERT INTO audit_log (account_id, seq, tx_id, kind, currency, amount, balance_after, actor, reason, trace_id, at_us, prev_hash, hash)
        SELECT h.id, h.seq, p_tx_id, p_kind, h.currency, h.amt, h.bal, p_actor, p_reason, p_trace, v_us, h.prev, h.hash FROM h;

    IF p_key IS NOT NULL THEN
        INSERT INTO idempotency_keys (key, request_hash, status, tx_id) VALUES (p_key, p_request_hash, 'ok', p_tx_id);
    END IF;
    status := 'ok'; tx_id := p_tx_id;
END
$$;

-- Who delivers an order (from dispatch.assigned): settlement pays the driver's share there.
CREATE TABLE order_drivers (
    order_id   text PRIMARY KEY,
    driver_id  text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
