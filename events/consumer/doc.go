// Package consumer runs DizhTime's event consumers: a consumer group on one topic that
// applies each event exactly once to its own Postgres store, although Kafka delivers it at
// least once.
//
// Exactly-once effect comes from idempotency, not from Kafka: the handler gets the
// transaction in which the consumer records the event id in processed_events, so the
// effect and the record commit together. A redelivery (a crash before the offset commit,
// a rebalance, a relay duplicate, a dead-letter replay) finds the id and is skipped. A
// handler whose effect is outside Postgres (a push notification, an HTTP call) cannot be
// atomic with the record and must be idempotent itself, e.g. by passing the event id as
// the downstream idempotency key.
//
// A failing handler is retried with bounded exponential backoff and jitter (the partition
// waits meanwhile, which keeps per-aggregate order). After MaxAttempts, or at once for an
// error wrapped with Permanent or an undecodable message, the message is copied to the
// dead-letter topic <topic>.dlq with headers saying why (dlq_reason, dlq_attempts,
// dlq_consumer, dlq_original_topic, dlq_original_partition, dlq_original_offset,
// dlq_failed_at) and its offset is committed, so one poison message cannot stop the
// partition. Replay republishes dead letters to their original topic once the cause is
// fixed; consumers that already applied them skip them by id.
//
// Batch mode (Config.BatchSize > 1) amortises the per-event costs: the messages fetched
// together (up to BatchSize, waiting at most BatchLinger after the first) are split by
// partition, and each partition's part is applied in ONE transaction, partitions side by
// side: its event ids recorded with one INSERT ... ON CONFLICT DO NOTHING RETURNING (the
// dedupe per event is kept; a second copy in the same batch is a duplicate too), then
// BatchHandler with the new events, or Handler for each of them in turn. Offsets are
// committed after the transactions, asynchronously (CommitInterval): a crash redelivers at
// most that much, and the redelivered events are skipped by id, so the effect stays
// exactly once. When a part's transaction fails (a handler error, a poison event, an
// undecodable message) it rolls back whole and that part goes one message at a time
// through the path above (retries, dead letters), keeping per-partition order. With
// Config.OneTransaction the whole fetch goes in one transaction instead (each partition's
// events still in offset order): for handlers whose partitions contend on the same rows,
// where transactions side by side would only queue on each other's locks. Config.ShardKey
// does better for such handlers when the contended rows have a key (the wallet's
// order.created: the customer's wallet): the fetch is split by key instead of by
// partition, as many groups as it has partitions, a key's messages in one group in the
// order fetched, and the groups run side by side without sharing a row.
//
// The consumer continues the producer's trace: its span is a child of the span that
// created the event, whose W3C trace context travels in the traceparent header.
// Consumer lag (exact, from the group's committed offsets) and outcomes are Prometheus
// metrics.
package consumer
