package postgres_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/postgres"
)

const defaultTestURL = "postgres://dizhtime:dizhtime@127.0.0.1:5432/dizhtime?sslmode=disable"

func testURL() string {
	if url := os.Getenv("DIZHTIME_POSTGRES_URL"); url != "" {
		return url
	}
	return defaultTestURL
}

// newSchemaPool opens a pool whose connections work in a fresh schema, dropped when the
// test ends, so parallel and repeated runs never see each other's tables.
func newSchemaPool(t *testing.T) (*pgxpool.Pool, string) {
	t.Helper()
	schema := "test_" + strings.ToLower(rand.Text()[:12])
	admin := openPool(t)
	if _, err := admin.Exec(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return openPool(t, inSchema(schema)), schema
}

func inSchema(schema string) postgres.Option {
	return func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["search_path"] = schema }
}

func openPool(t *testing.T, opts ...postgres.Option) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	pool, err := postgres.Open(ctx, testURL(), opts...)
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at DIZHTIME_POSTGRES_URL (default %s): %v\n"+
			"start it with: deploy/local/services.sh up postgres", defaultTestURL, err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestOpen_failsFastWhenNothingListens(t *testing.T) {
	t.Parallel()
	start := time.Now()
	_, err := postgres.Open(t.Context(), "postgres://u:secret@127.0.0.1:1/db", postgres.WithConnectTimeout(2*time.Second))
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Open took %s to fail", time.Since(start))
	}
	if got := err.Error(); strings.Contains(got, "secret") {
		t.Errorf("error leaks the password: %s", got)
	}
}

func TestCheck_passesForAHealthyPoolAndFailsForAClosedOne(t *testing.T) {
	t.Parallel()
	pool := openPool(t)
	check := postgres.Check(pool)
	if err := check(t.Context()); err != nil {
		t.Fatalf("Check on a healthy pool: %v", err)
	}
	pool.Close()
	if err := check(t.Context()); err == nil {
		t.Fatal("Check passed on a closed pool")
	}
}

func TestEnsureDatabase_createsItOnceAndPointsTheURLAtIt(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("test_ensure_%d", time.Now().UnixNano())
	var urls [3]string
	var wg sync.WaitGroup
	errs := make(chan error, len(urls))
	for i := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := postgres.EnsureDatabase(ctx, testURL(), name)
			urls[i] = u
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent EnsureDatabase: %v", err)
		}
	}
	t.Cleanup(func() {
		pool, err := postgres.Open(ctx, testURL())
		if err == nil {
			_, _ = pool.Exec(ctx, "drop database if exists "+name+" with (force)")
			pool.Close()
		}
	})
	pool, err := postgres.Open(ctx, urls[0])
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var db string
	if err := pool.QueryRow(ctx, "select current_database()").Scan(&db); err != nil || db != name {
		t.Fatalf("connected to %q (%v), want %q", db, err, name)
	}
}
