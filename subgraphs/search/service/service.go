package service

import (
	"context"
	"fmt"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/search/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/search/app"
	"github.com/dizhtime/dizhtime/subgraphs/search/graph"
	"github.com/dizhtime/dizhtime/subgraphs/search/graph/generated"
)

// Service is a wired search instance.
type Service struct {
	Index      app.Index
	Catalog    app.Catalog
	Queries    *app.Queries
	Projection *app.Projection
	Metrics    *adapters.Metrics
	Handler    http.Handler
	cfg        Config
	logger     *slog.Logger
	close      func() error
}

// New opens the index behind the alias (creating it on first start) and wires the
// application. reg receives the projection metrics.
func New(ctx context.Context, cfg Config, reg prometheus.Registerer, logger *slog.Logger) (*Service, error) {
	s := &Service{cfg: cfg, logger: logger, close: func() error { return nil }}
	switch cfg.IndexBackend {
	case BackendElasticsearch:
		c, live, err := openElasticsearch(ctx, cfg)
		if err != nil {
			return nil, err
		}
		s.Catalog, s.Index = c, live
	default:
		c, err := adapters.OpenBleveCatalog(cfg.BleveDir, cfg.IndexAlias)
		if err != nil {
			return nil, err
		}
		live, err := c.Live(ctx)
		if err != nil {
			return nil, err
		}
		s.Catalog, s.Index, s.close = c, live, c.Close
	}
	m, err := adapters.NewMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("search metrics: %w", err)
	}
	s.Metrics = m
	if s.Projection, err = app.NewProjection(s.Index, m); err != nil {
		return nil, err
	}
	if s.Queries, err = app.NewQueries(s.Index); err != nil {
		return nil, err
	}
	s.Handler = NewHandler(s.Queries, logger)
	if c, ok := s.Catalog.(*adapters.BleveCatalog); ok && c.Replaced() {
		// The consumer group's offsets are past what the old index held: replay.
		logger.WarnContext(ctx, "bleve index had an older layout; rebuilding it from the topics", "dir", cfg.BleveDir)
		if _, err := s.Rebuild(ctx); err != nil {
			_ = s.close()
			return nil, fmt.Errorf("rebuild the replaced bleve index: %w", err)
		}
	}
	return s, nil
}

// Close releases the index (Bleve's files).
func (s *Service) Close() error { return s.close() }

func (s *Service) topics() adapters.RestaurantTopics {
	return adapters.RestaurantTopics{Updated: s.cfg.TopicRestaurantUpdated, MenuUpdate: s.cfg.TopicRestaurantMenuUpdate}
}

// RunConsumer projects the restaurant topics until ctx ends.
func (s *Service) RunConsumer(ctx context.Context) error {
	dlq := kafka.NewProducer(s.cfg.KafkaBrokers)
	defer dlq.Close()
	c := &adapters.ProjectionConsumer{Brokers: s.cfg.KafkaBrokers, Group: s.cfg.ConsumerGroup, Topics: s.topics(),
		Projection: s.Projection, DLQ: dlq, Logger: s.logger}
	return c.Run(ctx)
}

// Rebuild replays the topics into a fresh index and moves the alias to it.
func (s *Service) Rebuild(ctx context.Context) (app.RebuildReport, error) {
	log := adapters.KafkaEventLog{Brokers: s.cfg.KafkaBrokers, Topics: s.topics(), Logger: s.logger}
	return app.Rebuild(ctx, s.Catalog, log, s.cfg.IndexAlias, s.Metrics)
}

// NewHandler serves GraphQL at /query (POST, GET). Ops endpoints are mounted by the caller.
func NewHandler(q *app.Queries, logger *slog.Logger) http.Handler {
	srv := graphqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{Queries: q}}), logger, graphqlserver.Options{Subscriptions: false})
	mux := http.NewServeMux()
	mux.Handle("/query", srv)
	return mux
}
