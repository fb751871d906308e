package devstack_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/dizhtime/dizhtime/platform/devstack"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/mongodb"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

func TestStart_bringsUpEveryEmbeddedStoreAndItsChecksPass(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := devstack.Start(ctx, devstack.Options{
		DataDir: t.TempDir(), PostgresURL: endpoints.Postgres(),
		RedisAddr: "127.0.0.1:0", MongoAddr: "127.0.0.1:0",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checks := s.Checks()
	for _, name := range []string{"postgres", "redis", "kafka", "mongo"} {
		check, ok := checks[name]
		if !ok {
			t.Errorf("no %s check", name)
			continue
		}
		if err := check(ctx); err != nil {
			t.Errorf("%s check: %v", name, err)
		}
	}
}

func TestStart_startsNothingWhenPostgresIsUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := devstack.Start(ctx, devstack.Options{
		DataDir: t.TempDir(), PostgresURL: "postgres://nobody@127.0.0.1:1/none?connect_timeout=1",
		RedisAddr: "127.0.0.1:0", MongoAddr: "127.0.0.1:0",
	})
	if err == nil {
		t.Fatal("want an error naming PostgreSQL")
	}
	t.Log(err)
}

func TestStart_refusesAnEmptyDataDir(t *testing.T) {
	if _, err := devstack.Start(context.Background(), devstack.Options{}); err == nil {
		t.Fatal("want an error for a missing data dir")
	}
}

// The embedded FerretDB keeps its data in PostgreSQL (database MongoDatabase): the laptop
// binary is built without FerretDB's SQLite backend (make run's tag ferretdb_no_sqlite).
func TestStart_keepsTheEmbeddedFerretDBsDataInPostgreSQL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	name := fmt.Sprintf("devstack_mongo_%d", time.Now().UnixNano())
	s, err := devstack.Start(ctx, devstack.Options{
		DataDir: t.TempDir(), PostgresURL: endpoints.Postgres(),
		RedisAddr: "127.0.0.1:0", MongoAddr: "127.0.0.1:0", MongoDatabase: name,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client, err := mongodb.Connect(ctx, s.Endpoints.MongoURI)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	if _, err := client.Database("devstack").Collection("things").InsertOne(ctx, bson.M{"_id": "a", "n": 1}); err != nil {
		t.Fatalf("insert through the embedded FerretDB: %v", err)
	}
	pgURL, err := postgres.EnsureDatabase(ctx, endpoints.Postgres(), name)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := postgres.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var schemas int
	if err := pool.QueryRow(ctx, `select count(*) from information_schema.schemata where schema_name = 'devstack'`).Scan(&schemas); err != nil || schemas != 1 {
		t.Fatalf("PostgreSQL database %s has %d schemas named devstack (%v); want FerretDB's one for the Mongo database", name, schemas, err)
	}
}
