// Package adapters holds the orders subgraph's edges: the PostgreSQL repository (orders,
// their timelines and the transactional outbox), the restaurants price quote over HTTP,
// the event consumers of the saga, and the live feed that rings app.Hub from Kafka.
package adapters
