package service

import (
	"context"
	"fmt"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/subgraphs/orders/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/graph"
	"github.com/dizhtime/dizhtime/subgraphs/orders/graph/generated"
)

// Service is a wired orders instance.
type Service struct {
	App     *app.Application
	Handler http.Handler
	// Components run the saga: the outbox relay, the consumers, the live feed and the
	// acceptance deadlines. Run them with lifecycle.Run (or each with its Run).
	Components []lifecycle.Component
	producer   *kafka.Producer
}

// Close releases the Kafka producer.
func (s *Service) Close() error { return s.producer.Close() }

// New migrates the database and wires the service. checker may be nil: relation checks
// then go to cfg.IdentityURL.
func New(ctx context.Context, cfg Config, pool *pgxpool.Pool, checker authz.Checker, logger *slog.Logger) (*Service, error) {
	if err := adapters.Migrate(ctx, pool); err != nil {
		return nil, fmt.Errorf("orders migrations: %w", err)
	}
	if checker == nil {
		checker = authz.NewRelationClient(cfg.IdentityURL, authz.WithTTL(2*time.Second))
	}
	repo := adapters.NewOrdersRepository(pool, outbox.New())
	hub := app.NewHub()
	application, err := app.New(repo, adapters.NewQuoteClient(cfg.RestaurantsURL, cfg.QuoteTimeout), checker, hub,
		app.Config{AcceptanceTimeout: cfg.AcceptanceTimeout, PaymentTimeout: cfg.PaymentTimeout, DeliveryFeeMinor: cfg.DeliveryFeeMinor,
			LivePollInterval: cfg.LivePollInterval}, logger)
	if err != nil {
		return nil, err
	}
	producer := kafka.NewProducer(cfg.KafkaBrokers)
	relay, err := outbox.NewRelay(pool, producer, outbox.RelayConfig{PollInterval: 200 * time.Millisecond, Logger: logger})
	if err != nil {
		return nil, err
	}
	consumers, err := adapters.SagaConsumers(pool, repo, producer, application, adapters.ConsumerSettings{
		GroupPrefix: cfg.ConsumerGroupPrefix, Brokers: cfg.KafkaBrokers,
		StartAtBeginning: cfg.ConsumeFromBeginning, Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	feed := adapters.NewLiveFeed(cfg.KafkaBrokers, hub, repo, logger)
	comps := []lifecycle.Component{
		lifecycle.Func("outbox-relay", relay.Run),
		lifecycle.Func("live-feed", feed.Run),
		lifecycle.Func("deadlines", func(ctx context.Context) error {
			return application.RunAcceptanceDeadlines(ctx, cfg.DeadlineScanInterval)
		}),
	}
	for i, c := range consumers {
		comps = append(comps, lifecycle.Func("consumer:"+adapters.SagaTopics[i], c.Run))
	}
	return &Service{App: application, Handler: NewHandler(application, logger), Components: comps, producer: producer}, nil
}

// NewHandler serves /query (POST, GET, WebSocket graphql-transport-ws, SSE).
func NewHandler(application *app.Application, logger *slog.Logger) http.Handler {
	srv := graphqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{App: application}}), logger, graphqlserver.Options{Subscriptions: true})
	mux := http.NewServeMux()
	mux.Handle("/query", srv)
	return mux
}
