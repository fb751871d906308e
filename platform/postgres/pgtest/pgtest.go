// Package pgtest gives a test a PostgreSQL pool on a fresh schema of the real server
// (deploy/local/services.sh up postgres), dropped when the test ends. A missing server
// fails the test: it is never skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

// Schema creates a unique schema named for its service (orders_test_...) and returns its
// name and a pool whose search_path is it.
func Schema(t testing.TB, service string) (string, *pgxpool.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := postgres.Open(ctx, endpoints.Postgres())
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s (start it with deploy/local/services.sh up postgres): %v", endpoints.Postgres(), err)
	}
	t.Cleanup(admin.Close)
	schema := service + "_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = admin.Exec(c, `DROP SCHEMA `+schema+` CASCADE`)
	})
	return schema, Pool(t, schema)
}

// Pool opens another pool on schema.
func Pool(t testing.TB, schema string) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := postgres.Open(ctx, endpoints.Postgres(), func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["search_path"] = schema
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
