-- Say what the version column is: concurrency control on accounts is pessimistic (every
-- writer locks the account rows it moves, FOR UPDATE in account-id order, inside
-- wallet_post), and no writer compares versions. version only counts an account's
-- changes (an audit aid: it equals the number of postings on the account).
COMMENT ON COLUMN accounts.version IS
    'number of changes to this account; NOT an optimistic lock: writers lock the row (SELECT ... FOR UPDATE in wallet_post)';
COMMENT ON TABLE accounts IS
    'balances are row-locked (pessimistic): wallet_post locks every account it moves, in id order, before changing it';
