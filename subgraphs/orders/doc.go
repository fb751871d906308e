// Package orders is DizhTime's orders subgraph: the order lifecycle state machine, the
// order saga driven by events (payment, restaurant decision, dispatch), and live order
// subscriptions.
//
// Layout: domain/ (the Order aggregate and its transition table, no I/O), app/ (use cases
// and event reactions), adapters/ (PostgreSQL with the transactional outbox, the
// restaurants price quote over HTTP, the Kafka live feed), graph/ (gqlgen schema and
// resolvers), service/ (wiring), cmd/orders (the binary), cmd/orders-bench.
//
// The gqlgen code is checked in. Regenerate it, and the committed SDL the router
// composes (schema/orders.graphqls at the repository root), with:
//
//	go generate ./...
package orders

//go:generate go run github.com/99designs/gqlgen generate
//go:generate cp graph/schema.graphqls ../../schema/orders.graphqls
