// Package events holds DizhTime's event backbone. This package is the envelope every event
// travels in; the rest lives in sub-packages:
//
//   - contracts: the versioned payload types, one per event type, each also a JSON Schema
//     file under contracts/schema/<type>/v<N>.json with a compatibility test.
//   - kafka: the kafka-go producer and at-least-once consumer-group reader.
//   - outbox: the transactional outbox for Postgres producers and its relay to Kafka;
//     outbox/mongooutbox is the variant for MongoDB (FerretDB) producers.
//   - consumer: idempotent consumers with retries, a dead-letter topic and replay.
//
// # The envelope on the wire
//
// The topic is the event type (order.created, ...), so a consumer subscribes to exactly
// the facts it cares about. The key is the subject, the id of the aggregate the event is
// about (an order id, a driver id): Kafka keeps one key on one partition, so the events of
// one aggregate are consumed in the order they were committed. The value is the whole
// envelope as JSON, so a message copied to a dead-letter topic or an archive stays
// self-describing. The envelope's metadata is repeated in headers (dz_id, dz_type, ...)
// so tools can route and filter without decoding the value, and the W3C trace context
// travels in the standard traceparent/tracestate headers, which is what OpenTelemetry's
// propagators read.
//
// An event's id is a UUIDv7 chosen when the event is created, before it is stored in an
// outbox; every redelivery and every republish carries the same id, which is what
// consumers deduplicate on.
package events
