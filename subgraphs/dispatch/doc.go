// Package dispatch is DizhTime's dispatch subgraph: couriers, their live location, H3
// matching of accepted orders to couriers, and deliveries.
//
// Layout: domain/ (driver and delivery state machines, geography, the pickup-time
// model; no I/O), app/ (use cases: driver commands, the matcher, the dispatcher loop and
// the event handlers), adapters/ (the live index: each replica's in-memory DriverIndex
// fed by the driver.location feed, and Redis with its Lua scripts for status, offers and
// reservations; the PostgreSQL store with the outbox; the batched driver.location stream),
// graph/ (gqlgen schema and thin resolvers), service/ (wiring; component and
// through-the-router tests), cmd/dispatch (the binary: `dispatch serve`),
// cmd/dispatch-bench (the standalone benchmark; `make bench` runs the Go benchmarks).
//
// The gqlgen code is checked in. Regenerate it, and the committed SDL the router
// composes (schema/dispatch.graphqls at the repository root), with:
//
//	go generate ./...
package dispatch
