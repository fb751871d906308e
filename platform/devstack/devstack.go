// Package devstack starts the embedded defaults of ARCHITECTURE.md's store table in this
// process for the laptop run: miniredis for Redis, kfake for Kafka, FerretDB for MongoDB and
// a directory for Bleve indexes. PostgreSQL is not embedded: the laptop run uses the real
// server that deploy/local/services.sh starts, and the embedded FerretDB keeps its data there
// too (database MongoDatabase), as the FerretDB of the test services does: FerretDB's SQLite
// backend (modernc.org/sqlite, a C-to-Go translation of SQLite) was a sixth of the laptop
// binary's cold build, and `make run` builds without it (tag ferretdb_no_sqlite).
package devstack

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/mongodb"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/redisdb"
)

// Options chooses where the embedded stores listen and keep their data.
type Options struct {
	DataDir     string
	PostgresURL string
	RedisAddr   string
	KafkaPort   int
	MongoAddr   string
	// MongoDatabase is the PostgreSQL database the embedded FerretDB stores its data in
	// (default dizhtime_mongo), created when missing.
	MongoDatabase string
}

// Endpoints are the addresses the subgraphs are given.
type Endpoints struct {
	PostgresURL  string
	RedisAddr    string
	KafkaBrokers []string
	MongoURI     string
	SearchDir    string
}

// Stack is the running set of embedded stores.
type Stack struct {
	Endpoints Endpoints
	closers   []func()
}

// Start brings every embedded store up, or none: on error the ones already started stop.
func Start(ctx context.Context, o Options) (_ *Stack, err error) {
	if o.DataDir == "" {
		return nil, errors.New("devstack: DataDir is required")
	}
	s := &Stack{Endpoints: Endpoints{PostgresURL: o.PostgresURL, SearchDir: filepath.Join(o.DataDir, "search")}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	if err := pingPostgres(ctx, o.PostgresURL); err != nil {
		return nil, fmt.Errorf("devstack: PostgreSQL (start it with `deploy/local/services.sh up postgres`): %w", err)
	}
	r, err := redisdb.StartEmbedded(o.RedisAddr)
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, r.Close)
	s.Endpoints.RedisAddr = r.Addr()

	k, err := kafka.StartEmbedded(kafka.EmbeddedOptions{Port: o.KafkaPort, DataDir: filepath.Join(o.DataDir, "kafka")})
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, k.Close)
	s.Endpoints.KafkaBrokers = k.Brokers()

	if o.MongoDatabase == "" {
		o.MongoDatabase = "dizhtime_mongo"
	}
	mongoPG, err := postgres.EnsureDatabase(ctx, o.PostgresURL, o.MongoDatabase)
	if err != nil {
		return nil, fmt.Errorf("devstack: FerretDB's database: %w", err)
	}
	m, err := mongodb.StartEmbedded(ctx, mongodb.EmbeddedOptions{Addr: o.MongoAddr, PostgresURL: mongoPG})
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, m.Close)
	s.Endpoints.MongoURI = m.URI()
	return s, nil
}

// Checks are readiness checks that talk to every store over its real protocol.
func (s *Stack) Checks() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"postgres": func(ctx context.Context) error { return pingPostgres(ctx, s.Endpoints.PostgresURL) },
		"redis": func(ctx context.Context) error {
			c, err := redisdb.Connect(ctx, s.Endpoints.RedisAddr)
			if err != nil {
				return err
			}
			return c.Close()
		},
		"kafka": kafka.Check(s.Endpoints.KafkaBrokers),
		"mongo": func(ctx context.Context) error {
			c, err := mongodb.Connect(ctx, s.Endpoints.MongoURI)
			if err != nil {
				return err
			}
			return c.Disconnect(ctx)
		},
	}
}

// Close stops the stores in reverse start order.
func (s *Stack) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

func pingPostgres(ctx context.Context, url string) error {
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	pool.Close()
	return nil
}
