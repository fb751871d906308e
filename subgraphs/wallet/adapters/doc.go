// Package adapters holds the wallet's edges: the PostgreSQL ledger, the sandbox payment
// gateway, and the audit chain verifier.
//
// # Ledger design
//
// One PL/pgSQL function, wallet_post (created by migrations/0001_ledger.sql, last
// rewritten by 0006_drop_account_version.sql), applies a balanced
// transaction in a single statement, so an operation that needs nothing else (PayOrder,
// a confirmed top-up, an adjustment) is one round trip in an implicit transaction:
// idempotency look-up, account creation on first use, row locks in account-id order (no
// deadlocks between transactions over the same accounts), the negative-balance rule,
// the transaction row, immutable postings, balance updates and one audit row per
// account movement. Operations that must read first (refund, settlement) lock the
// order's payment row and run in one transaction; saga steps run in the event consumer's
// transaction and add their events to the outbox there.
//
// # Batching: one round trip and one transaction for many operations
//
// LedgerRepository.Post does not call wallet_post itself: concurrent Posts are coalesced
// (ledger_batcher.go, TigerBeetle's insight: amortise the per-transaction cost, the
// commit's WAL flush, the round trip, the snapshot, over a batch) into one
// wallet_post_batch call (migration 0007). A batch leaves as soon as one of the
// BatchConfig.Flushers is free (group commit; at most 64 operations, never waiting more
// than Linger, 2ms at most, for more), so a lone operation is not delayed. Batches in
// flight at once never share an account: an operation on a wallet a batch in flight
// holds waits in the queue (and every later operation on its accounts behind it), so
// the flushers run in parallel instead of queueing on each other's row locks, and the
// waiting operations of one wallet leave together in the next batch. In the batch
// every operation keeps its own outcome: wallet_post_batch locks the batch's existing
// accounts in id order, applies the operations in order in memory (a short balance
// refuses that operation alone, as wallet_post would; an account not there yet, such as a
// payment's new order escrow, starts at zero) and writes everything with one statement,
// the missing accounts inserted with their final state (migration 0013); when a
// key repeats or was seen before, or a unique or foreign-key violation shows up (a second
// payment of one order), it falls back to wallet_post per operation, each in its own
// subtransaction, so one failing operation never fails its neighbours. Losing a race on
// an idempotency key (or a deadlock) sends just that operation back to the queue, with
// backoff. Saga steps batch the same way inside the consumer's transaction
// (ledgerTx.PostBatch, app.OnOrdersCreated). Migrate ANALYZEs the tables after it applied
// anything: without statistics the first minute after a migration ran 2-5x slower.
//
// # Locking: pessimistic (row locks), not optimistic
//
// Balances are row-locked: wallet_post takes FOR UPDATE locks on every account it moves,
// in account-id order, so concurrent writers of one account queue and none ever works on
// a stale balance; refunds and settlement of one order also lock the order's payment
// row, and saga steps of one order a per-order advisory lock. Accounts carry no version:
// migration 0006 dropped accounts.version, which wallet_post incremented and nobody read
// or compared (as a change counter it duplicated audit_seq). Row locks were kept over
// optimistic versions on the merits: the hot accounts (gateway_clearing, which every
// top-up moves; platform_fee, which every settlement moves; a busy restaurant's payable)
// are written by a large share of all transactions, where compare-and-retry would turn
// contention into retries of whole transactions, while a short FOR UPDATE inside one
// statement just queues them. (ARCHITECTURE.md's "materialized with a
// version (optimistic locking)" describes a design this ledger did not take; the
// comments in migration 0001 that still mention the column are history, which a
// forward-only migration cannot edit.)
//
// VerifyAudit re-derives every balance from the postings as well as re-hashing the
// audit chain, so a balance, a posting or an audit row changed behind the triggers'
// back is reported.
//
// Postings, transactions and the audit log refuse UPDATE, DELETE and TRUNCATE (triggers);
// accounts refuse DELETE, TRUNCATE and a change of id. A posting must name a transaction
// and an account that exist: checked once per inserting statement over all its rows
// (postings_references, migration 0012, which replaced the per-row foreign keys), and
// since neither can go away, that check at insert is the whole guarantee; VerifyAudit
// checks it again.
// The audit log is hash-chained per account: each row carries
// HMAC-SHA256(key, prev_hash || canonical row) with a key held outside the database
// (migration 0005; rows written before it keep plain sha256 links), and the account row
// holds the chain's head. VerifyAudit recomputes every chain and names the first row
// that does not match.
package adapters
