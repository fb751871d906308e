// Package wallet is DizhTime's wallet subgraph: a double-entry ledger per currency,
// top-ups through a payment gateway, order payment, refund and settlement as saga steps,
// loyalty points, and a hash-chained audit log.
//
// Layout: domain/ (rules, no I/O), app/ (use cases), adapters/ (PostgreSQL, the sandbox
// gateway), graph/ (gqlgen schema and resolvers), service/ (wiring), cmd/wallet (the
// binary: serve, verify-audit), cmd/wallet-bench.
//
// The gqlgen code is checked in. Regenerate it, and the committed SDL the router
// composes (schema/wallet.graphqls at the repository root), with:
//
//	go generate ./...
package wallet

//go:generate go run github.com/99designs/gqlgen generate
//go:generate cp graph/schema.graphqls ../../schema/wallet.graphqls
