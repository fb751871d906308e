// Package restaurants is DizhTime's restaurants subgraph: restaurants, weekly hours and
// the open/closed switch, menus with option groups, and the price quotes orders trusts.
//
// Layout: domain/ (rules, no I/O), app/ (use cases and authorization), adapters/
// (MongoDB with the document-embedded outbox, the relay to Kafka, identity's relations
// API), graph/ (gqlgen schema and resolvers), service/ (wiring, the internal HTTP quote
// API), seed/ (the demo city), cmd/restaurants (serve, seed).
//
// The gqlgen code is checked in. Regenerate it, and the committed SDL the router
// composes (schema/restaurants.graphqls at the repository root), with:
//
//	go generate ./...
package restaurants

//go:generate go run github.com/99designs/gqlgen generate
//go:generate cp graph/schema.graphqls ../../schema/restaurants.graphqls
