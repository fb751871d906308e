package devstack_test

import (
	"context"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/devstack"
	"github.com/dizhtime/dizhtime/platform/endpoints"
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
