// Package analytics is DizhTime's analytics subgraph: every domain event, read by one
// consumer group from every domain topic, written once into an OLAP store (ClickHouse in
// tests and production, embedded DuckDB for the laptop run), and served to admins and
// restaurant owners as dashboard queries (sales, funnel, delivery times, drivers, refunds
// and cancellations, top dishes) and the liveMetrics subscription.
//
// Layout: domain/ (the event facts and the dashboard figures; no I/O), app/ (ingestion,
// queries with their authorization), adapters/ (ClickHouse, DuckDB, Kafka), graph/
// (gqlgen schema and resolvers), service/ (wiring), cmd/analytics (the binary),
// cmd/analytics-bench (synthetic events, ingestion rate and query latency per backend).
//
// The gqlgen code is checked in. Regenerate it, and the committed SDL the router
// composes (schema/analytics.graphqls at the repository root), with:
//
//	go generate ./...
package analytics

//go:generate go run github.com/99designs/gqlgen generate
//go:generate cp graph/schema.graphqls ../../schema/analytics.graphqls
