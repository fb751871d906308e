// Package outbox is the transactional outbox for Postgres producers: a service writes its
// state change and the events describing it in one transaction (Outbox.Add), and a Relay
// publishes committed events to Kafka and marks them sent.
//
// # Guarantees and how they are kept
//
// No event is lost: a row is marked sent only in the transaction that claimed it, after
// Kafka acknowledged it. A relay dying anywhere (before publishing, between publishing and
// marking, before committing) leaves the row unsent and unlocked, and the next round
// publishes it again with the same event id and the same bytes. Consumers deduplicate on
// the id (package consumer).
//
// Per-aggregate order: Kafka keeps the order of one key (the subject) within its
// partition, so the relay must publish one subject's events in commit order and never
// let two relays publish one subject at the same time.
//
//   - Commit order equals seq order per subject because Add takes a transaction-scoped
//     advisory lock on each subject before inserting: a second transaction writing events
//     for the same subject waits until the first commits, so it cannot take a smaller seq
//     and commit later. Producers normally lock the aggregate row anyway; the lock makes
//     the outbox correct even when they do not. (A transaction adding events for several
//     subjects takes the locks in sorted order; deadlocks between such transactions are
//     detected by Postgres and one of them retries.)
//   - A relay claims subjects, not rows: it locks, FOR UPDATE SKIP LOCKED, the head row
//     of each subject (the oldest unsent one), then publishes the unsent rows of the
//     subjects it claimed in seq order. Another relay skips a locked head, and a non-head
//     row is never eligible, so each subject has at most one publisher at a time. Several
//     replicas therefore share the work without double-publishing in steady state, and a
//     burst of one aggregate goes out in one round rather than one row per round.
//
// The claim holds a transaction open while Kafka acknowledges, bounded by PublishTimeout.
// The relay wakes on LISTEN/NOTIFY (Add notifies at commit) for low latency and polls as a
// fallback. Sent rows are deleted after Retention. The backlog (unsent rows and the age
// of the oldest) is exported as Prometheus gauges.
//
// Rows live in the producer's own schema (the pool's search_path): Migrate applies this
// package's migrations there under the service name "outbox".
package outbox
