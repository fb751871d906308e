// Package search is DizhTime's search subgraph: a CQRS read model of restaurants and
// their menus, projected from the restaurant.updated and restaurant.menu.update topics
// into a search index (Elasticsearch in tests and production, Bleve on disk as the
// embedded default) and served as searchRestaurants, searchDishes and suggest.
//
// Layout: domain/ (documents, version rules, opening hours, queries; no I/O), app/
// (the projection, the queries, the rebuild), adapters/ (Elasticsearch, Bleve, Kafka),
// graph/ (gqlgen schema and resolvers), service/ (wiring), cmd/search (the binary and
// its rebuild command), cmd/search-bench (the latency and throughput benchmark).
//
// The gqlgen code is checked in. Regenerate it, and the committed SDL the router
// composes (schema/search.graphqls at the repository root), with:
//
//	go generate ./...
package search

//go:generate go run github.com/99designs/gqlgen generate
//go:generate cp graph/schema.graphqls ../../schema/search.graphqls
