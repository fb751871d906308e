package service

import (
	"context"
	"fmt"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/graph"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/graph/generated"
)

// Service is a wired dispatch instance.
type Service struct {
	App   *app.Application
	Live  *adapters.LiveIndex
	Store *adapters.Store
	// Locations publishes updateLocation's fixes to driver.location (run by Components).
	Locations *adapters.LocationStream
	Handler   http.Handler
	cfg       Config
	pool      *pgxpool.Pool
	logger    *slog.Logger
}

// Option adds an optional part to the service.
type Option func(*options)

type options struct{ registry prometheus.Registerer }

// WithMetrics registers dispatch's metrics (matching latency) in reg.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(o *options) { o.registry = reg }
}

// New migrates the database and wires the application.
func New(ctx context.Context, cfg Config, pool *pgxpool.Pool, rdb redis.UniversalClient, logger *slog.Logger, opts ...Option) (*Service, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if logger == nil {
		logger = slog.Default()
	}
	if err := adapters.Migrate(ctx, pool); err != nil {
		return nil, err
	}
	live := adapters.NewLiveIndex(rdb, cfg.RedisKeyPrefix)
	store := adapters.NewStore(pool, outbox.New())
	acfg := app.DefaultConfig()
	acfg.Match.OfferTimeout = cfg.OfferTimeout
	acfg.RoundBackoff, acfg.MaxRoundBackoff, acfg.MatchPatience = cfg.RoundBackoff, cfg.MaxRoundBackoff, cfg.MatchPatience
	locations, err := adapters.NewLocationStream(cfg.KafkaBrokers, adapters.DefaultLocationStreamConfig(), logger)
	if err != nil {
		return nil, err
	}
	appOpts := []app.Option{app.WithLocationPublisher(locations), app.WithDeliveryAnnouncer(live), app.WithDeliveryHistory(store)}
	if o.registry != nil {
		metrics, err := adapters.NewMetrics(o.registry)
		if err != nil {
			return nil, fmt.Errorf("dispatch metrics: %w", err)
		}
		appOpts = append(appOpts, app.WithMetrics(metrics))
	}
	application, err := app.New(store, live, acfg, logger, appOpts...)
	if err != nil {
		return nil, err
	}
	return &Service{App: application, Live: live, Store: store, Locations: locations, Handler: NewHandler(application, live, logger),
		cfg: cfg, pool: pool, logger: logger}, nil
}

// NewHandler serves /query: POST, GET, SSE and WebSocket (the router offers upstream only
// the subprotocol supergraph.yaml names; identity comes from the upgrade request's headers).
func NewHandler(application *app.Application, live *adapters.LiveIndex, logger *slog.Logger) http.Handler {
	srv := graphqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{App: application, Live: live}}), logger, graphqlserver.Options{Subscriptions: true})
	mux := http.NewServeMux()
	mux.Handle("/query", srv)
	return mux
}

// consumedTopics are the events dispatch reacts to.
var consumedTopics = []string{contracts.TypeOrderCreated, contracts.TypeRestaurantUpdated, contracts.TypeOrderStatusChanged}

// Components are the background loops: one idempotent consumer per consumed topic, the
// outbox relay, the driver.location stream, the dispatcher and the live-index sweeper.
func (s *Service) Components(ctx context.Context, producer *kafka.Producer) ([]lifecycle.Component, error) {
	specs := make([]kafka.TopicSpec, 0, len(consumedTopics))
	for _, t := range append(append([]string{}, consumedTopics...), contracts.TypeDispatchAssigned, contracts.TypeDeliveryStatusChanged, contracts.TypeDispatchEscalated, contracts.TypeDriverLocation, contracts.TypeDispatchOffered, contracts.TypeDispatchUnassigned) {
		specs = append(specs, kafka.TopicSpec{Name: t, Partitions: 3})
	}
	if err := kafka.EnsureTopics(ctx, s.cfg.KafkaBrokers, specs...); err != nil {
		return nil, fmt.Errorf("dispatch topics: %w", err)
	}
	var out []lifecycle.Component
	for _, topic := range consumedTopics {
		c, err := consumer.New(s.pool, producer, consumer.Config{
			Name: s.cfg.ConsumerGroup, Brokers: s.cfg.KafkaBrokers, Topic: topic, StartAtBeginning: s.cfg.ConsumeFromStart, Logger: s.logger,
		}, func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
			return s.App.HandleEvent(ctx, s.Store.WithTx(tx), e)
		})
		if err != nil {
			return nil, err
		}
		out = append(out, lifecycle.Func("consumer "+topic, c.Run))
	}
	relay, err := outbox.NewRelay(s.pool, producer, outbox.RelayConfig{Logger: s.logger})
	if err != nil {
		return nil, err
	}
	out = append(out,
		lifecycle.Func("outbox relay", relay.Run),
		lifecycle.Func("driver.location stream", s.Locations.Run),
		lifecycle.Func("dispatcher", func(ctx context.Context) error { return s.App.RunDispatcher(ctx, s.cfg.DispatchInterval, 50) }),
		lifecycle.Func("live index sweeper", s.sweep),
	)
	return out, nil
}

// sweep releases lapsed offers and drops silent couriers, every second.
func (s *Service) sweep(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now := time.Now()
		if _, stale, err := s.Live.Sweep(ctx, now, now.Add(-s.cfg.StaleAfter), 1000); err != nil && ctx.Err() == nil {
			s.logger.ErrorContext(ctx, "sweep live index", "error", err)
		} else if stale > 0 {
			s.logger.InfoContext(ctx, "dropped silent couriers", "count", stale)
		}
	}
}
