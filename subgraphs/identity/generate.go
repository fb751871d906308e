// Package identity is DizhTime's identity subgraph: users, roles, login, access and
// refresh tokens, the JWKS, and Keto-style relation tuples for ownership.
//
// Layout: domain/ (rules, no I/O), app/ (use cases), adapters/ (PostgreSQL, Redis),
// graph/ (gqlgen schema and resolvers), service/ (wiring), cmd/identity (the binary).
//
// The gqlgen code is checked in. Regenerate it, and the committed SDL the router
// composes (schema/identity.graphqls at the repository root), with:
//
//	go generate ./...
package identity

//go:generate go run github.com/99designs/gqlgen generate
//go:generate cp graph/schema.graphqls ../../schema/identity.graphqls
