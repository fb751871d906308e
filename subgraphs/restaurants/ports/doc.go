// Package ports holds the restaurants subgraph's non-GraphQL entry points: the internal
// HTTP JSON quote API the orders subgraph calls at checkout.
package ports
