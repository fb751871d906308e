// Package testdb gives the wallet's tests a migrated PostgreSQL schema of their own on the
// real server, failing (never skipping) when it is unreachable.
package testdb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
)

// Schema creates a fresh schema, migrates the wallet into it and returns its name and a
// pool of maxConns whose search_path is that schema. The schema is dropped after the test.
func Schema(t testing.TB, maxConns int32) (string, *pgxpool.Pool) {
	t.Helper()
	schema, pool := Empty(t, maxConns)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := adapters.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return schema, pool
}

// Empty is Schema without the wallet's migrations (for another service's tables).
func Empty(t testing.TB, maxConns int32) (string, *pgxpool.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	schema := fmt.Sprintf("wallet_%d_%d", time.Now().UnixMilli()%1e6, rand.Int64N(1<<30))
	admin, err := postgres.Open(ctx, endpoints.Postgres(), postgres.WithMaxConns(2))
	if err != nil {
		t.Fatalf("PostgreSQL at %s not reachable (start it with `deploy/local/services.sh up postgres`): %v", endpoints.PostgresEnv, err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	pool, err := postgres.Open(ctx, URL(schema), postgres.WithMaxConns(maxConns))
	if err != nil {
		t.Fatalf("PostgreSQL at %s not reachable: %v", endpoints.PostgresEnv, err)
	}
	t.Cleanup(pool.Close)
	return schema, pool
}

// URL is the server's URL with search_path set to schema.
func URL(schema string) string {
	base := endpoints.Postgres()
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + url.QueryEscape(schema)
}
