// Package postgres opens pgx connection pools with sane limits and applies a service's
// forward-only, numbered SQL migrations at start-up, safely when several replicas start
// at once.
package postgres
