-- Every posting still names a transaction and an account that exist and stay; the check
-- is made once per statement instead of once per row.
--
-- The two foreign keys of postings (tx_id -> transactions, account_id -> accounts) ran,
-- per posting, a query of their own at the end of the statement, each locking the row it
-- found (FOR KEY SHARE): four per payment, about a tenth of wallet_post_batch's
-- PostgreSQL time (perf on wallet-bench -batch-cost). What a foreign key guarantees is
-- (a) no posting is written whose transaction or account does not exist, and (b) no
-- referenced row goes away or changes its key while a posting names it. Now:
--
-- (a) postings_references, an AFTER INSERT trigger FOR EACH STATEMENT, looks every
--     inserted row's transaction and account up in one query over the statement's new
--     rows (its transition table), at the same moment the foreign keys' checks ran (the
--     statement's end, so a transaction inserted by a sibling CTE counts), and fails the
--     statement with foreign_key_violation and the old constraint's name. It fires for
--     every writer, not just this schema's functions.
-- (b) is now a rule of the tables instead of a row lock: transactions were append-only
--     already (no UPDATE, DELETE or TRUNCATE: 0001); accounts now refuse DELETE, TRUNCATE
--     and any change of id (balances and chain heads still move). A ledger keeps its
--     accounts; nothing in the wallet deleted one. With the referenced rows unable to
--     disappear, the lock the foreign keys took to hold them until commit has nothing
--     left to guard.
--
-- Like the append-only rules and the foreign keys before (which are triggers too), the
-- rules can be switched off only by someone allowed to disable triggers (or to set
-- session_replication_role); verify-audit also reports postings whose transaction or
-- account is missing, so such a bypass is found.

ALTER TABLE postings DROP CONSTRAINT postings_tx_id_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_account_id_fkey;

CREATE FUNCTION wallet_postings_references() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
DECLARE
    v_tx   uuid;
    v_acct text;
BEGIN
    SELECT n.tx_id INTO v_tx FROM new_postings n
        WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.id = n.tx_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert on table "postings" violates foreign key constraint "postings_tx_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'postings_tx_id_fkey', TABLE = 'postings',
                  DETAIL = format('Key (tx_id)=(%s) is not present in table "transactions".', v_tx);
    END IF;
    SELECT n.account_id INTO v_acct FROM new_postings n
        WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = n.account_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert on table "postings" violates foreign key constraint "postings_account_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'postings_account_id_fkey', TABLE = 'postings',
                  DETAIL = format('Key (account_id)=(%s) is not present in table "accounts".', v_acct);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER postings_references AFTER INSERT ON postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION wallet_postings_references();

CREATE FUNCTION wallet_accounts_stay() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'wallet: % of accounts is not allowed: accounts are never deleted nor renamed (postings name them)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER accounts_never_deleted BEFORE DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION wallet_accounts_stay();
CREATE TRIGGER accounts_id_never_changes BEFORE UPDATE OF id ON accounts
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION wallet_accounts_stay();
CREATE TRIGGER accounts_no_truncate BEFORE TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION wallet_accounts_stay();
