package service

import (
	"context"
	"errors"
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
	// Locations publishes updateLocation's fixes to driver.location and Feed reads every
	// replica's fixes back into Live.Drivers (both run by LiveComponents).
	Locations *adapters.LocationStream
	Feed      *adapters.LocationFeed
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
	live.SetLogger(logger)
	store := adapters.NewStore(pool, outbox.New())
	acfg := app.DefaultConfig()
	acfg.Match.OfferTimeout = cfg.OfferTimeout
	acfg.RoundBackoff, acfg.MaxRoundBackoff, acfg.MatchPatience = cfg.RoundBackoff, cfg.MaxRoundBackoff, cfg.MatchPatience
	scfg := adapters.DefaultLocationStreamConfig()
	scfg.Topic, scfg.Local = cfg.LocationTopic, live.Drivers
	locations, err := adapters.NewLocationStream(cfg.KafkaBrokers, scfg, logger)
	if err != nil {
		return nil, err
	}
	fcfg := adapters.DefaultLocationFeedConfig()
	fcfg.Topic, fcfg.Replay = cfg.LocationTopic, cfg.LocationReplay
	feed, err := adapters.NewLocationFeed(cfg.KafkaBrokers, live.Drivers, fcfg, logger)
	if err != nil {
		return nil, err
	}
	appOpts := []app.Option{app.WithLocationPublisher(locations), app.WithDeliveryAnnouncer(live), app.WithDeliveryHistory(store)}
	if o.registry != nil {
		metrics, err := adapters.NewMetrics(o.registry, locations, feed, live.Drivers)
		if err != nil {
			return nil, fmt.Errorf("dispatch metrics: %w", err)
		}
		appOpts = append(appOpts, app.WithMetrics(metrics))
	}
	application, err := app.New(store, live, acfg, logger, appOpts...)
	if err != nil {
		return nil, err
	}
	return &Service{App: application, Live: live, Store: store, Locations: locations, Feed: feed, Handler: NewHandler(application, live, logger),
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

// LiveComponents keep this replica's live index: the driver.location stream (publishing
// updateLocation's fixes), the feed reading every replica's fixes into the in-memory
// index, the driver states from Redis, and the sweeper. Tracking and matching need them.
func (s *Service) LiveComponents(ctx context.Context) ([]lifecycle.Component, error) {
	if err := kafka.EnsureTopics(ctx, s.cfg.KafkaBrokers, kafka.TopicSpec{Name: s.cfg.LocationTopic, Partitions: 3}); err != nil {
		return nil, fmt.Errorf("dispatch location topic: %w", err)
	}
	return []lifecycle.Component{
		lifecycle.Func("driver.location stream", s.Locations.Run),
		lifecycle.Func("driver.location feed", s.Feed.Run),
		lifecycle.Func("driver states", func(ctx context.Context) error { return s.Live.RunStates(ctx, s.cfg.StatesResync) }),
		lifecycle.Func("live index sweeper", s.sweep),
	}, nil
}

// LiveIndexReady is the readiness check of the live index: the driver states snapshot is
// loaded and the location feed has read the replay window (matching sees every courier).
func (s *Service) LiveIndexReady(context.Context) error {
	switch {
	case !s.Live.StatesLoaded():
		return errors.New("driver states not loaded yet")
	case !s.Feed.CaughtUp():
		return errors.New("driver.location not read up to date yet")
	}
	return nil
}

// Components are the event loops: one idempotent consumer per consumed topic, the
// outbox relay and the dispatcher (LiveComponents are the live index's).
func (s *Service) Components(ctx context.Context, producer *kafka.Producer) ([]lifecycle.Component, error) {
	specs := make([]kafka.TopicSpec, 0, len(consumedTopics))
	for _, t := range append(append([]string{}, consumedTopics...), contracts.TypeDispatchAssigned, contracts.TypeDeliveryStatusChanged, contracts.TypeDispatchEscalated, contracts.TypeDispatchOffered, contracts.TypeDispatchUnassigned) {
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
		lifecycle.Func("dispatcher", func(ctx context.Context) error { return s.App.RunDispatcher(ctx, s.cfg.DispatchInterval, 50) }),
	)
	return out, nil
}

// sweep, every second: releases lapsed offers; takes couriers this replica heard
// nothing from for StaleAfter offline (only while its location feed is caught up and
// has read without error, and its stream lost no fix, for StaleAfter: a replica cut off
// from Kafka would otherwise take everyone offline); forgets offline couriers and
// foreign fixes from memory.
func (s *Service) sweep(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now := time.Now()
		if _, err := s.Live.ExpireOffers(ctx, now, 1000); err != nil && ctx.Err() == nil {
			s.logger.ErrorContext(ctx, "expire offers", "error", err)
		}
		if s.Live.StatesLoaded() && s.Feed.Healthy(s.cfg.StaleAfter) && !s.Locations.LosingSince(s.cfg.StaleAfter) {
			if n, err := s.Live.DropSilent(ctx, now.Add(-s.cfg.StaleAfter), 1000); err != nil && ctx.Err() == nil {
				s.logger.ErrorContext(ctx, "drop silent couriers", "error", err)
			} else if n > 0 {
				s.logger.InfoContext(ctx, "dropped silent couriers", "count", n)
			}
		}
		if i%30 == 0 {
			s.Live.Drivers.Forget(now.Add(-s.cfg.LocationReplay))
		}
	}
}
