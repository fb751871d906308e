// Package adapters holds identity's I/O: PostgreSQL repositories (users, refresh
// tokens, signing keys, relation tuples) with their embedded migrations, and the Redis
// login rate limiter.
package adapters

import "embed"

// Migrations are identity's numbered, forward-only schema files.
//
//go:embed migrations/*.sql
var migrations embed.FS
