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
//   - A relay claims partitions of subjects, not rows: every row carries its subject's
//     partition (one of 32, a hash of the subject), and a round takes transaction-scoped
//     advisory locks, without waiting, on partitions no other relay holds, then publishes
//     the oldest unsent rows of those partitions in seq order. A subject lives in one
//     partition, so it has at most one publisher at a time, and each round publishes a
//     prefix of each subject's unsent events. Several replicas share the partitions
//     (RelayConfig.ClaimPartitions sets each round's share) without double-publishing in
//     steady state, and a burst of one aggregate goes out in one round. Run itself keeps
//     RelayConfig.Workers rounds (2) in flight on disjoint shares, so one round's database
//     work overlaps another's wait for Kafka.
//   - The read is a merge of one seq-ordered index range per claimed partition, so a round
//     costs about the rows it publishes whatever the backlog (the head-of-subject
//     anti-join this replaced read every unsent row: 170-230 ms a round at 100k). A test
//     reads the plan (TestRelay_claimReadsABatchWhateverTheBacklog).
//   - Upgrading from the head claim: relays of the old release lock head rows and relays
//     of this one lock partitions, so they do not exclude each other; stop the old relays
//     before starting new ones, or accept that a subject's events may be reordered while
//     both run.
//
// The claim holds a transaction open while Kafka acknowledges, bounded by PublishTimeout.
// The relay wakes on LISTEN/NOTIFY (Add notifies at commit) for low latency and polls as a
// fallback. Sent rows are marked and deleted after Retention, or deleted at once
// (RelayConfig.DeleteSent: the cheapest mark). The backlog (unsent rows and the age
// of the oldest) is exported as Prometheus gauges.
//
// Rows live in the producer's own schema (the pool's search_path): Migrate applies this
// package's migrations there under the service name "outbox".
package outbox
