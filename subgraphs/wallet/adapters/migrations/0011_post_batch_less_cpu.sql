-- Less PostgreSQL CPU per payment, every guarantee kept (perf on wallet-bench -batch-cost:
-- index maintenance, sorting and text comparisons were a third of wallet_post_batch's time).
--
-- * The ledger's text keys compare bytewise (COLLATE "C"): accounts.id and owner,
--   postings.account_id, transactions.order_id, idempotency_keys.key and
--   audit_log.account_id. They are ids, never sorted for people: with the databases'
--   C.UTF-8 (and any libc locale) every B-tree comparison went through strcoll, and for
--   valid UTF-8 bytewise order is code-point order, C.UTF-8's own, so every ORDER BY on
--   them (the lock order, verify-audit's walk) comes out as before. Uniqueness is
--   unchanged (both collations are deterministic: equal means the same bytes). The
--   foreign key from postings to accounts is dropped and added back around the change (a
--   key must match its referenced column's collation) and validated again.
-- * accounts_owner indexes only the accounts looked up by owner: Balances, History
--   (customer_wallet, loyalty_points) and the driver earnings report, never an order's
--   escrow, which every payment creates (one index entry less per payment).
-- * wallet_post_batch (as in 0010 otherwise): the batch's accounts are read in one pass
--   whose aggregates no longer sort their input one by one (six sorts per call), and the
--   missing accounts are created in bytewise id order, the accounts' lock order.

ALTER TABLE postings DROP CONSTRAINT postings_account_id_fkey;
ALTER TABLE accounts ALTER COLUMN id TYPE text COLLATE "C", ALTER COLUMN owner TYPE text COLLATE "C";
ALTER TABLE postings ALTER COLUMN account_id TYPE text COLLATE "C";
ALTER TABLE postings ADD CONSTRAINT postings_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE transactions ALTER COLUMN order_id TYPE text COLLATE "C";
ALTER TABLE idempotency_keys ALTER COLUMN key TYPE text COLLATE "C";
ALTER TABLE audit_log ALTER COLUMN account_id TYPE text COLLATE "C";

DROP INDEX accounts_owner;
CREATE INDEX accounts_owner ON accounts (owner) WHERE kind <> 'order_escrow';

CREATE OR REPLACE FUNCTION wallet_post_batch(
    p_tx_ids uuid[], p_keys text[], p_request_hashes bytea[],
    p_kinds text[], p_order_ids text[], p_ref_txs uuid[], p_counterparties text[], p_amounts bigint[], p_currencies text[],
    p_actors text[], p_reasons text[], p_traces text[],
    p_post_from int[], p_post_count int[],
    p_accounts text[], p_account_kinds text[], p_owners text[], p_account_currencies text[],
    p_allow_negative boolean[], p_post_amounts bigint[],
    p_audit_ipad bytea, p_audit_opad bytea)
RETURNS TABLE (op int, status text, tx_id uuid, err_code text, err_constraint text, err_message text)
LANGUAGE plpgsql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
DECLARE
    v_n      int := cardinality(p_tx_ids);
    v_ids    text[];
    v_from   int;
    v_to     int;
    v_us     bigint := (extract(epoch FROM now()) * 1000000)::bigint;
    -- The batch's accounts (v_ids order) as the fast path moves them in memory.
    v_bal    bigint[];
    v_seq    bigint[];
    v_head   bytea[];
    v_neg    boolean[];
    v_cur    text[];
    v_pos    int[];
    k        int;
    v_ok     boolean;
    v_hash   bytea;
    -- Per operation: its outcome; per posting written: what goes to postings/audit_log.
    v_status text[];
    v_okops  int[] := '{}';
    pa_op    int[] := '{}';
    pa_acct  text[] := '{}';
    pa_cur   text[] := '{}';
    pa_amt   bigint[] := '{}';
    pa_seq   bigint[] := '{}';
    pa_bal   bigint[] := '{}';
    pa_prev  bytea[] := '{}';
    pa_hash  bytea[] := '{}';
    v_fast   boolean;
BEGIN
    IF v_n > 64 THEN
        RAISE EXCEPTION 'wallet_post_batch: % operations, at most 64', v_n USING ERRCODE = 'program_limit_exceeded';
    END IF;
    IF octet_length(p_audit_ipad) IS DISTINCT FROM 64 OR octet_length(p_audit_opad) IS DISTINCT FROM 64 THEN
        RAISE EXCEPTION 'wallet_post_batch: the audit key pads must be 64 bytes each'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Two statements before the operations run: the accounts missing are created (in id
    -- order), then every account of the batch is locked in id order and read, the fast
    -- path's starting state and whether it applies in the same statement.
    INSERT INTO accounts (id, kind, owner, currency, allow_negative)
        SELECT DISTINCT ON (x.id) x.id, x.kind, x.owner, x.cur, x.neg
        FROM unnest(p_accounts::text[] COLLATE "C", p_account_kinds, p_owners, p_account_currencies, p_allow_negative) AS x(id, kind, owner, cur, neg)
        ORDER BY x.id
        ON CONFLICT DO NOTHING;
    -- One pass over the locked rows feeds every array_agg, so the arrays stay aligned
    -- index by index (v_ids[k] is the account of v_bal[k], ...) without each aggregate
    -- sorting its input again: PostgreSQL 15 sorts per aggregate for an ORDER BY in it.
    SELECT array_agg(l.id), array_agg(l.balance), array_agg(l.audit_seq),
           array_agg(l.audit_head), array_agg(l.allow_negative), array_agg(l.currency),
           -- The fast path (below) is taken when no idempotency key of the batch was seen
           -- before or repeats in it and every operation balances.
           NOT EXISTS (SELECT 1 FROM idempotency_keys i WHERE i.key = ANY (p_keys))
           AND NOT EXISTS (SELECT 1 FROM unnest(p_keys) AS x(key) WHERE x.key IS NOT NULL GROUP BY x.key HAVING count(*) > 1)
           AND NOT EXISTS (
               SELECT 1 FROM generate_subscripts(p_tx_ids, 1) AS o(i)
               CROSS JOIN LATERAL unnest(p_account_currencies[p_post_from[o.i] : p_post_from[o.i] + p_post_count[o.i] - 1],
                                         p_post_amounts[p_post_from[o.i] : p_post_from[o.i] + p_post_count[o.i] - 1]) AS x(c, a)
               GROUP BY o.i, x.c HAVING sum(x.a) <> 0)
        INTO v_ids, v_bal, v_seq, v_head, v_neg, v_cur, v_fast
        FROM (SELECT a.id, a.balance, a.audit_seq, a.audit_head, a.allow_negative, a.currency
              FROM accounts a WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR UPDATE) l;

    -- The fast path: every operation applied in memory, in order, with wallet_post's
    -- rules (a short balance refuses that operation alone), then written with one
    -- statement. A unique or foreign-key violation on the way (a second payment of an
    -- order, a key another transaction inserted) undoes it whole, and the batch goes the
    -- slow way below: wallet_post per operation, each in its own subtransaction.
    IF v_fast THEN
        BEGIN
            v_status := array_fill(NULL::text, ARRAY[v_n]);
            FOR i IN 1 .. v_n LOOP
                v_from := p_post_from[i];
                v_to := p_post_from[i] + p_post_count[i] - 1;
                v_ok := true;
                v_pos := '{}';
                FOR j IN v_from .. v_to LOOP
                    k := array_position(v_ids, p_accounts[j]);
                    v_pos := v_pos || k;
                    IF NOT v_neg[k] AND v_bal[k] + p_post_amounts[j] < 0 THEN
                        v_ok := false;
                    END IF;
                END LOOP;
                IF NOT v_ok THEN
                    v_status[i] := 'insufficient_funds';
                    CONTINUE;
                END IF;
                v_status[i] := 'ok';
                v_okops := v_okops || i;
                FOR j IN v_from .. v_to LOOP
                    k := v_pos[j - v_from + 1];
                    v_bal[k] := v_bal[k] + p_post_amounts[j];
                    v_seq[k] := v_seq[k] + 1;
                    -- audit_canonical's bytes, built inline.
                    v_hash := sha256(p_audit_opad || sha256(p_audit_ipad || v_head[k] || convert_to(concat_ws('|', v_ids[k], v_seq[k],
                        p_tx_ids[i], p_kinds[i], v_cur[k], p_post_amounts[j], v_bal[k], p_actors[i], p_reasons[i], p_traces[i], v_us), 'UTF8')));
                    pa_op := pa_op || i; pa_acct := pa_acct || v_ids[k]; pa_cur := pa_cur || v_cur[k];
                    pa_amt := pa_amt || p_post_amounts[j]; pa_seq := pa_seq || v_seq[k]; pa_bal := pa_bal || v_bal[k];
                    pa_prev := pa_prev || v_head[k]; pa_hash := pa_hash || v_hash;
                    v_head[k] := v_hash;
                END LOOP;
            END LOOP;

            WITH t AS (
                INSERT INTO transactions (id, kind, order_id, ref_tx_id, counterparty, amount, currency, idempotency_key, actor, reason, trace_id)
                    SELECT p_tx_ids[o], p_kinds[o], p_order_ids[o], p_ref_txs[o], p_counterparties[o], p_amounts[o], p_currencies[o],
                           p_keys[o], p_actors[o], p_reasons[o], p_traces[o]
                    FROM unnest(v_okops) AS o
            ), p AS (
                INSERT INTO postings (tx_id, account_id, currency, amount)
                    SELECT p_tx_ids[x.o], x.acct, x.cur, x.amt FROM unnest(pa_op, pa_acct, pa_cur, pa_amt) AS x(o, acct, cur, amt)
            ), l AS (
                INSERT INTO audit_log (account_id, seq, tx_id, kind, currency, amount, balance_after, actor, reason, trace_id, at_us, prev_hash, hash, keyed)
                    SELECT x.acct, x.seq, p_tx_ids[x.o], p_kinds[x.o], x.cur, x.amt, x.bal, p_actors[x.o], p_reasons[x.o], p_traces[x.o],
                           v_us, x.prev, x.hash, true
                    FROM unnest(pa_op, pa_acct, pa_cur, pa_amt, pa_seq, pa_bal, pa_prev, pa_hash) AS x(o, acct, cur, amt, seq, bal, prev, hash)
            ), u AS (
                UPDATE accounts a SET balance = x.bal, audit_seq = x.seq, audit_head = x.head
                    FROM unnest(v_ids, v_bal, v_seq, v_head) AS x(id, bal, seq, head)
                    WHERE a.id = x.id AND a.audit_seq <> x.seq
            )
            INSERT INTO idempotency_keys (key, request_hash, status, tx_id)
                SELECT p_keys[o.i], p_request_hashes[o.i], v_status[o.i], CASE WHEN v_status[o.i] = 'ok' THEN p_tx_ids[o.i] END
                FROM generate_subscripts(p_tx_ids, 1) AS o(i) WHERE p_keys[o.i] IS NOT NULL;
        EXCEPTION WHEN unique_violation OR foreign_key_violation OR check_violation THEN
            v_fast := false;
        END;
    END IF;
    IF v_fast THEN
        FOR i IN 1 .. v_n LOOP
            op := i; status := v_status[i]; err_code := NULL; err_constraint := NULL; err_message := NULL;
            tx_id := CASE WHEN v_status[i] = 'ok' THEN p_tx_ids[i] END;
            RETURN NEXT;
        END LOOP;
        RETURN;
    END IF;

    -- The slow path.
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
