// Package testenv gives the event backbone's tests isolated use of the real services:
// a Postgres schema of their own, unique Kafka topics, and a clear failure (never a skip)
// when a service is unreachable.
package testenv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

// Name returns a unique lower-case name with prefix, safe as a schema or topic name.
func Name(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixMilli()%1e6, rand.Int64N(1<<30))
}

// Postgres opens a pool whose search_path is a fresh schema, dropped after the test.
func Postgres(t testing.TB) *pgxpool.Pool {
	t.Helper()
	schema := Name("evt")
	return PostgresSchema(t, schema, true)
}

// PostgresSchema opens another pool on schema (created when create is set).
func PostgresSchema(t testing.TB, schema string, create bool) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	base := endpoints.Postgres()
	if create {
		admin, err := postgres.Open(ctx, base, postgres.WithMaxConns(2))
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
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	pool, err := postgres.Open(ctx, base+sep+"search_path="+url.QueryEscape(schema), postgres.WithMaxConns(8))
	if err != nil {
		t.Fatalf("PostgreSQL at %s not reachable: %v", endpoints.PostgresEnv, err)
	}
	t.Cleanup(pool.Close)
	return pool
}

var kafkaOK sync.Map

// Kafka returns the real brokers after checking they answer.
func Kafka(t testing.TB) []string {
	t.Helper()
	brokers := endpoints.Kafka()
	key := strings.Join(brokers, ",")
	if _, ok := kafkaOK.Load(key); !ok {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := kafka.Check(brokers)(ctx); err != nil {
			t.Fatalf("Kafka at %v (%s) not reachable (start it with `deploy/local/services.sh up kafka`): %v", brokers, endpoints.KafkaEnv, err)
		}
		kafkaOK.Store(key, true)
	}
	return brokers
}

// Topics creates unique topics, one per name, with the given partitions, and returns
// their names in order.
func Topics(t testing.TB, brokers []string, partitions int, names ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	suffix := Name("")
	var specs []kafka.TopicSpec
	var out []string
	for _, n := range names {
		full := n + "." + strings.TrimPrefix(suffix, "_")
		out = append(out, full)
		specs = append(specs, kafka.TopicSpec{Name: full, Partitions: partitions})
	}
	if err := kafka.EnsureTopics(ctx, brokers, specs...); err != nil {
		t.Fatalf("create topics %v: %v", out, err)
	}
	return out
}
