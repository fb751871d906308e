package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/graph"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/graph/generated"
)

// Service is a wired analytics instance.
type Service struct {
	Store     app.Store
	Queries   *app.Queries
	Ingestion *app.Ingestion
	// DeadLetterAdmin lists, replays and discards the platform's dead letters (Kafka).
	DeadLetterAdmin *app.DeadLetters
	deadLetterLog   *adapters.KafkaDeadLetters
	Metrics         *adapters.Metrics
	Handler         http.Handler
	cfg             Config
	logger          *slog.Logger
}

// OpenStore opens and migrates the configured backend.
func OpenStore(ctx context.Context, cfg Config) (app.Store, error) {
	if cfg.StoreBackend == BackendClickHouse {
		return adapters.OpenClickHouse(ctx, cfg.ClickHouseURL, cfg.ClickHouseDatabase)
	}
	return adapters.OpenDuckDB(ctx, cfg.DuckDBPath, adapters.WithDuckDBThreads(cfg.DuckDBThreads))
}

// New opens the store and wires the application. checker may be nil: ownership checks then
// go to cfg.IdentityURL. reg receives the ingestion metrics.
func New(ctx context.Context, cfg Config, checker authz.Checker, reg prometheus.Registerer, logger *slog.Logger) (*Service, error) {
	store, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if checker == nil {
		checker = authz.NewRelationClient(cfg.IdentityURL, authz.WithTTL(2*time.Second))
	}
	s := &Service{Store: store, cfg: cfg, logger: logger}
	if s.Metrics, err = adapters.NewMetrics(reg); err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("analytics metrics: %w", err)
	}
	if s.Queries, err = app.NewQueries(store, checker); err != nil {
		_ = store.Close()
		return nil, err
	}
	s.Queries.DriverShareBps = cfg.DriverShareBps
	if s.Ingestion, err = app.NewIngestion(store); err != nil {
		_ = store.Close()
		return nil, err
	}
	s.deadLetterLog = adapters.NewKafkaDeadLetters(cfg.KafkaBrokers)
	if s.DeadLetterAdmin, err = app.NewDeadLetters(s.deadLetterLog, cfg.Topics); err != nil {
		_ = store.Close()
		return nil, err
	}
	s.Handler = NewHandler(&graph.Resolver{Queries: s.Queries, DeadLetterAdmin: s.DeadLetterAdmin, Logger: logger}, logger)
	return s, nil
}

// Close releases the store and the dead letters' producer.
func (s *Service) Close() error {
	return errors.Join(s.deadLetterLog.Close(), s.Store.Close())
}

// RunConsumer creates the dead-letter action log, then ingests every configured topic until
// ctx ends.
func (s *Service) RunConsumer(ctx context.Context) error {
	if err := s.deadLetterLog.Prepare(ctx); err != nil && ctx.Err() == nil {
		s.logger.WarnContext(ctx, "dead-letter action log not created yet (the first replay or discard will try again)", "error", err)
	}
	dlq := kafka.NewProducer(s.cfg.KafkaBrokers)
	defer dlq.Close()
	c := &adapters.IngestionConsumer{Brokers: s.cfg.KafkaBrokers, Group: s.cfg.ConsumerGroup, Topics: s.cfg.Topics,
		Ingestion: s.Ingestion, DLQ: dlq, Metrics: s.Metrics, Logger: s.logger, FromLatest: s.cfg.ConsumeFromLatest,
		BatchSize: s.cfg.BatchSize, BatchWait: s.cfg.BatchWait}
	return c.Run(ctx)
}

// NewHandler serves GraphQL at /query (POST, GET, WebSocket and SSE for liveMetrics).
func NewHandler(resolver *graph.Resolver, logger *slog.Logger) http.Handler {
	srv := graphqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: resolver}),
		logger, graphqlserver.Options{Subscriptions: true})
	mux := http.NewServeMux()
	mux.Handle("/query", srv)
	return mux
}
