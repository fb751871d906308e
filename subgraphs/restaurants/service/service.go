package service

import (
	"context"
	"fmt"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/app"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/graph"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/graph/generated"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/ports"
)

// Dependencies are what the service talks to; tests pass fakes for the identity side
// and a recording publisher.
type Dependencies struct {
	DB        *mongo.Database
	Publisher adapters.Publisher
	Checker   authz.Checker
	Relations app.RelationWriter
	Logger    *slog.Logger
	// Registerer receives the outbox metrics (nil: none).
	Registerer prometheus.Registerer
	// Clock replaces time.Now (tests).
	Clock app.Clock
	// OutboxPollInterval: see Config (default 5s).
	OutboxPollInterval time.Duration
}

// Service is a wired restaurants instance. Run Relay alongside serving Handler.
type Service struct {
	App     *app.Application
	Repo    *adapters.RestaurantsRepository
	Relay   *adapters.OutboxRelay
	Handler http.Handler
}

// New creates the indexes and returns the service.
func New(ctx context.Context, d Dependencies) (*Service, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	clock := d.Clock
	if clock == nil {
		clock = time.Now
	}
	var relay *adapters.OutboxRelay
	repo := adapters.NewRestaurantsRepository(d.DB,
		adapters.WithRepositoryClock(clock),
		adapters.WithCommitHook(func() {
			if relay != nil {
				relay.Wake()
			}
		}))
	if err := repo.EnsureIndexes(ctx); err != nil {
		return nil, err
	}
	relay, err := adapters.NewOutboxRelay(repo, d.Publisher, adapters.RelayConfig{
		PollInterval: d.OutboxPollInterval, Registerer: d.Registerer, Logger: d.Logger})
	if err != nil {
		return nil, err
	}
	application, err := app.New(repo, d.Checker, d.Relations, app.WithClock(clock))
	if err != nil {
		return nil, fmt.Errorf("restaurants: %w", err)
	}
	return &Service{App: application, Repo: repo, Relay: relay, Handler: NewHandler(application, d.Logger)}, nil
}

// NewHandler serves /query (POST, GET, WebSocket graphql-transport-ws, SSE) with the
// router-forwarded identity, and POST /internal/quote. Ops endpoints are mounted by the
// caller.
func NewHandler(application *app.Application, logger *slog.Logger) http.Handler {
	srv := graphqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{App: application}}), logger, graphqlserver.Options{Subscriptions: true})

	mux := http.NewServeMux()
	mux.Handle("/query", srv)
	mux.Handle("POST "+ports.QuotePath, authz.RequireService(ports.QuoteHandler(application, logger)))
	return mux
}
