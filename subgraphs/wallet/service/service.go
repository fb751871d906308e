// Package service wires the wallet: configuration, the PostgreSQL ledger, the sandbox
// gateway and its webhook, the GraphQL port, the saga consumers, the outbox relay, the
// points expiry run and the ops endpoints.
package service

import (
	"context"
	"fmt"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/ops"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/telemetry"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/graph"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/graph/generated"
)

// Service is a wired wallet without its background loops.
type Service struct {
	App     *app.Application
	Repo    *adapters.LedgerRepository
	Gateway *adapters.SandboxGateway
	// Handler serves GraphQL at /query and the sandbox gateway's webhook; the caller
	// mounts the ops endpoints.
	Handler http.Handler
}

// New migrates the ledger in pool's schema and wires the application. cfg.PublicURL must
// be set: the sandbox gateway posts its webhooks there.
func New(ctx context.Context, cfg Config, pool *pgxpool.Pool, logger *slog.Logger) (*Service, error) {
	if cfg.PublicURL == "" {
		return nil, fmt.Errorf("wallet: public_url is required to receive gateway webhooks")
	}
	if err := adapters.Migrate(ctx, pool); err != nil {
		return nil, fmt.Errorf("wallet migrations: %w", err)
	}
	auditKey := cfg.AuditKey
	if auditKey == "" { // a Config built by hand, not loaded (Validate refuses it empty)
		auditKey = adapters.DefaultAuditKey
	}
	repo := adapters.NewLedgerRepository(pool, outbox.New()).WithAuditKey([]byte(auditKey))
	gateway := &adapters.SandboxGateway{Secret: []byte(cfg.SandboxSecret), WebhookURL: cfg.PublicURL + "/webhooks/sandbox",
		Delay: 3 * time.Second, Logger: logger}
	wallet, err := app.New(repo, gateway, app.Config{Loyalty: cfg.loyalty(), Split: cfg.split(), TopUp: cfg.topUp()})
	if err != nil {
		return nil, err
	}
	wallet.WithReports(adapters.NewLedgerReports(pool, []byte(auditKey)))
	mux := http.NewServeMux()
	mux.Handle("/query", authz.Middleware(NewGraphQLHandler(wallet, logger)))
	mux.Handle("POST /webhooks/sandbox", adapters.SandboxWebhook([]byte(cfg.SandboxSecret), wallet))
	return &Service{App: wallet, Repo: repo, Gateway: gateway, Handler: mux}, nil
}

// NewGraphQLHandler serves the wallet schema over POST and GET. The schema has no
// subscriptions, so no WebSocket or SSE transport.
func NewGraphQLHandler(wallet *app.Application, logger *slog.Logger) http.Handler {
	srv := graphqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{App: wallet}}), logger, graphqlserver.Options{Subscriptions: false})
	return srv
}

// Serve runs the wallet until ctx ends or SIGTERM.
func Serve(ctx context.Context, cfg Config) error {
	logger := logging.New(cfg.Service, cfg.Level(), os.Stdout)
	tel, err := telemetry.Setup(ctx, cfg.Service, cfg.Telemetry)
	if err != nil {
		return err
	}
	defer tel.Shutdown(context.WithoutCancel(ctx))
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	defer ln.Close()
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	pool, err := postgres.Open(ctx, cfg.PostgresURL, postgres.WithMaxConns(16))
	if err != nil {
		return err
	}
	defer pool.Close()
	svc, err := New(ctx, cfg, pool, logger)
	if err != nil {
		return err
	}
	defer svc.Gateway.Wait()

	ready := ops.NewReadiness(2 * time.Second)
	ready.Add("postgres", postgres.Check(pool))
	ready.Add("kafka", kafka.Check(cfg.Kafka))
	if err := tel.Registry.Register(adapters.NewLedgerMetrics(pool)); err != nil {
		return err
	}
	httpMetrics, err := ops.NewHTTPMetrics(tel.Registry)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	mux.Handle("/", httpMetrics.Wrap("wallet", svc.Handler))

	specs := []kafka.TopicSpec{}
	for _, s := range Subscriptions(svc.App, svc.Repo) {
		specs = append(specs, kafka.TopicSpec{Name: s.Topic, Partitions: 3})
	}
	for _, t := range ProducedTopics {
		specs = append(specs, kafka.TopicSpec{Name: t, Partitions: 3})
	}
	topicsCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = kafka.EnsureTopics(topicsCtx, cfg.Kafka, specs...)
	cancel()
	if err != nil {
		return fmt.Errorf("wallet topics: %w", err)
	}
	producer := kafka.NewProducer(cfg.Kafka)
	defer producer.Close()
	outboxMetrics, err := outbox.NewMetrics(tel.Registry)
	if err != nil {
		return err
	}
	// Nothing reads the wallet's sent outbox rows: the relay deletes them as Kafka
	// acknowledges them (the cheapest mark).
	relay, err := outbox.NewRelay(pool, producer, outbox.RelayConfig{Metrics: outboxMetrics, Logger: logger, DeleteSent: true})
	if err != nil {
		return err
	}
	consumerMetrics, err := consumer.NewMetrics(tel.Registry)
	if err != nil {
		return err
	}
	components := []lifecycle.Component{
		lifecycle.HTTPServerOn("http", &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln, cfg.ShutdownTimeout),
		lifecycle.Func("outbox-relay", relay.Run),
		lifecycle.Func("points-expiry", PointsExpiry(svc.App, cfg.PointsExpiryInterval, logger)),
		lifecycle.Func("topup-intent-expiry", TopUpIntentExpiry(svc.App, cfg.TopUpExpiryInterval, logger)),
		lifecycle.Func("audit-heads-export", AuditHeadsExport(pool, cfg, logger)),
	}
	for _, sub := range Subscriptions(svc.App, svc.Repo) {
		c, err := consumer.New(pool, producer, consumer.Config{Name: cfg.ConsumerGroupPrefix + "." + sub.Topic, Brokers: cfg.Kafka,
			Topic: sub.Topic, StartAtBeginning: !cfg.ConsumeFromLatest, Metrics: consumerMetrics,
			TracerProvider: tel.TracerProvider, Logger: logger,
			BatchSize: cfg.ConsumerBatchSize, BatchHandler: sub.Batch, ShardKey: sub.ShardKey}, sub.Handler)
		if err != nil {
			return err
		}
		components = append(components, lifecycle.Func("consumer "+sub.Topic, c.Run))
	}
	logger.Info("wallet listening", "addr", ln.Addr().String(), "graphql", "/query")
	return lifecycle.Run(ctx, logger, cfg.ShutdownTimeout, components...)
}

// PointsExpiry returns the loop serve runs: expire due points now and then every
// interval until ctx ends. A failed run is logged and the next tick tries again (every
// expiry is idempotent), so the loop itself never fails the process.
func PointsExpiry(wallet *app.Application, interval time.Duration, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			run, err := wallet.ExpireDuePoints(ctx)
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil:
				logger.ErrorContext(ctx, "points expiry run failed", "error", err, "users", run.Users, "points", run.Points)
			case run.Users > 0:
				logger.InfoContext(ctx, "points expired", "users", run.Users, "points", run.Points)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}

// TopUpIntentExpiry returns the loop serve runs: mark PENDING top-up intents past their
// time EXPIRED every interval until ctx ends (the intents live in PostgreSQL, so any
// replica may sweep and a restart loses nothing). A failed sweep is logged and retried.
func TopUpIntentExpiry(wallet *app.Application, interval time.Duration, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			n, err := wallet.ExpireTopUpIntents(ctx)
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil:
				logger.ErrorContext(ctx, "top-up intent expiry failed", "error", err)
			case n > 0:
				logger.InfoContext(ctx, "top-up intents expired", "intents", n)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}

// AuditHeadsExport returns the loop serve runs: write the audit chains' signed heads to
// cfg.AuditHeadsDir now and every cfg.AuditHeadsInterval (ship that directory off the
// database host; verify-audit -heads checks history against the files). A failed export
// is logged and retried at the next tick.
func AuditHeadsExport(pool *pgxpool.Pool, cfg Config, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(cfg.AuditHeadsInterval)
		defer t.Stop()
		for {
			path, err := adapters.ExportAuditHeads(ctx, pool, []byte(cfg.AuditKey), cfg.AuditHeadsDir, time.Now())
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil:
				logger.ErrorContext(ctx, "audit heads export failed", "error", err)
			default:
				logger.InfoContext(ctx, "audit heads exported", "file", path)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}
