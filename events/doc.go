// Package events holds DizhTime's event backbone: versioned event contracts, the Kafka
// producer and consumer (kafka/), and the transactional outbox relay.
package events
