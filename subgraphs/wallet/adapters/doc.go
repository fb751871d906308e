// Package adapters holds the wallet's edges: the PostgreSQL ledger, the sandbox payment
// gateway, and the audit chain verifier.
//
// # Ledger design
//
// One PL/pgSQL function, wallet_post (migrations/0001_ledger.sql), applies a balanced
// transaction in a single statement, so an operation that needs nothing else (PayOrder,
// a confirmed top-up, an adjustment) is one round trip in an implicit transaction:
// idempotency look-up, account creation on first use, row locks in account-id order (no
// deadlocks between transactions over the same accounts), the negative-balance rule,
// the transaction row, immutable postings, balance/version updates and one audit row per
// account movement. Operations that must read first (refund, settlement) lock the
// order's payment row and run in one transaction; saga steps run in the event consumer's
// transaction and add their events to the outbox there.
//
// # Locking: pessimistic, not optimistic
//
// Balances are row-locked: wallet_post takes FOR UPDATE locks on every account it moves,
// in account-id order, so concurrent writers of one account queue and none ever works on
// a stale balance; refunds and settlement of one order also lock the order's payment
// row, and saga steps of one order a per-order advisory lock. accounts.version is only
// a change counter (migration 0004 says so on the column): no writer compares it, and
// nothing should read it as an optimistic lock. (ARCHITECTURE.md's "materialized with a
// version (optimistic locking)" describes a design this ledger did not take.)
//
// VerifyAudit re-derives every balance from the postings as well as re-hashing the
// audit chain, so a balance, a posting or an audit row changed behind the triggers'
// back is reported. The chain is a plain SHA-256 chain for now: keying it (HMAC with a
// key held outside the database) and exporting its heads are still to do.
//
// Postings, transactions and the audit log refuse UPDATE, DELETE and TRUNCATE (triggers).
// The audit log is hash-chained per account: each row carries
// sha256(prev_hash || canonical row), and the account row holds the chain's head.
// VerifyAudit recomputes every chain and names the first row that does not match.
package adapters
