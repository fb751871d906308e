package service

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/graph"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/graph/generated"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/providersandbox"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/templates"
)

// Service is a wired notifications instance.
type Service struct {
	App       *app.Application
	Workflows *app.Workflows
	Handler   http.Handler
	// Sandbox is the provider sandbox served at /sandbox/ (nil when no channel uses it).
	Sandbox *providersandbox.Server
	// Components: the event consumers, the inbox doorbell and the dispatcher. Run them
	// with lifecycle.Run (or each with its Run).
	Components []lifecycle.Component
	producer   *kafka.Producer
}

// Close releases the Kafka producer.
func (s *Service) Close() error { return s.producer.Close() }

// Options replace parts for tests.
type Options struct {
	// Staff replaces identity's staff directory.
	Staff app.StaffDirectory
	// Dispatcher options (tests of the crash window).
	Dispatcher []app.DispatcherOption
}

// New loads the template catalog (a template or workflow that does not check out is an
// error here), migrates the database and wires the service.
func New(ctx context.Context, cfg Config, pool *pgxpool.Pool, logger *slog.Logger, opts Options) (*Service, error) {
	catalog, err := domain.ParseCatalog(templates.Catalog)
	if err != nil {
		return nil, err
	}
	staff := opts.Staff
	if staff == nil {
		staff = adapters.NewStaffDirectoryClient(cfg.IdentityURL)
	}
	workflows, err := app.NewWorkflows(catalog, staff, app.WorkflowConfig{DigestWindow: cfg.DigestWindow}, logger)
	if err != nil {
		return nil, err
	}
	if err := adapters.Migrate(ctx, pool); err != nil {
		return nil, fmt.Errorf("notifications migrations: %w", err)
	}
	inbox := adapters.NewInboxRepository(pool)
	hub := app.NewHub()
	application, err := app.New(inbox, hub, app.Config{LivePollInterval: cfg.LivePollInterval}, logger)
	if err != nil {
		return nil, err
	}
	var sandbox *providersandbox.Server
	sandboxURL := "http://" + cfg.HTTPAddr + "/sandbox"
	resolve := func(u string) string {
		if u == Sandbox {
			if sandbox == nil {
				sandbox = providersandbox.New()
			}
			return sandboxURL
		}
		return u
	}
	routes, err := Routes(cfg, resolve)
	if err != nil {
		return nil, err
	}
	dcfg := app.DispatcherConfig{PollInterval: cfg.DispatchPollInterval, Lease: cfg.DispatchLease, Batch: 32,
		MaxAttempts: cfg.MaxAttempts, InitialBackoff: cfg.InitialBackoff, MaxBackoff: cfg.MaxBackoff, SendTimeout: app.DefaultDispatcherConfig().SendTimeout}
	dispatcher, err := app.NewDispatcher(adapters.NewDeliveryOutbox(pool), routes, workflows.Digest, dcfg, logger, opts.Dispatcher...)
	if err != nil {
		return nil, err
	}
	producer := kafka.NewProducer(cfg.KafkaBrokers)
	consumers, err := adapters.EventConsumers(pool, inbox, producer, workflows, adapters.ConsumerSettings{
		GroupPrefix: cfg.ConsumerGroupPrefix, Brokers: cfg.KafkaBrokers, StartAtBeginning: cfg.ConsumeFromBeginning,
		PerTopic: cfg.ConsumersPerTopic, Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	comps := []lifecycle.Component{
		lifecycle.Func("inbox-doorbell", adapters.NewInboxDoorbell(pool, hub, logger).Run),
		lifecycle.Func("dispatcher", dispatcher.Run),
	}
	seen := map[string]int{}
	for _, c := range consumers {
		name := "consumer:" + c.Topic
		if seen[c.Topic] > 0 {
			name = fmt.Sprintf("%s#%d", name, seen[c.Topic])
		}
		seen[c.Topic]++
		comps = append(comps, lifecycle.Func(name, c.Run))
	}
	return &Service{App: application, Workflows: workflows, Handler: NewHandler(application, sandbox, logger), Sandbox: sandbox,
		Components: comps, producer: producer}, nil
}

// Routes builds each channel's providers from cfg; resolve maps a configured URL to the
// one to call (the sandbox's own address for "sandbox").
func Routes(cfg Config, resolve func(string) string) (map[domain.Channel]app.Route, error) {
	email, err := adapters.NewSMTPEmail("smtp:"+cfg.SMTPAddr, adapters.SMTPConfig{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom,
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, StartTLS: cfg.SMTPStartTLS})
	if err != nil {
		return nil, err
	}
	routes := map[domain.Channel]app.Route{
		domain.ChannelEmail: {Primary: email, PerSec: cfg.EmailPerSec},
		domain.ChannelSMS: {Primary: adapters.NewTwilioSMS("twilio:"+cfg.SMSURL, resolve(cfg.SMSURL), cfg.SMSAccount, cfg.SMSToken, cfg.SMSFrom),
			PerSec: cfg.SMSPerSec},
		domain.ChannelPush: {Primary: adapters.NewFCMPush("fcm:"+cfg.PushURL, resolve(cfg.PushURL), cfg.PushProject, cfg.PushToken),
			PerSec: cfg.PushPerSec},
	}
	if cfg.SMTPFallbackAddr != "" {
		fb, err := adapters.NewSMTPEmail("smtp:"+cfg.SMTPFallbackAddr, adapters.SMTPConfig{Addr: cfg.SMTPFallbackAddr, From: cfg.SMTPFrom,
			Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, StartTLS: cfg.SMTPStartTLS})
		if err != nil {
			return nil, err
		}
		r := routes[domain.ChannelEmail]
		r.Fallback = fb
		routes[domain.ChannelEmail] = r
	}
	if cfg.SMSFallbackURL != "" {
		r := routes[domain.ChannelSMS]
		r.Fallback = adapters.NewTwilioSMS("twilio:"+cfg.SMSFallbackURL, resolve(cfg.SMSFallbackURL), cfg.SMSAccount, cfg.SMSToken, cfg.SMSFrom)
		routes[domain.ChannelSMS] = r
	}
	if cfg.PushFallbackURL != "" {
		r := routes[domain.ChannelPush]
		r.Fallback = adapters.NewFCMPush("fcm:"+cfg.PushFallbackURL, resolve(cfg.PushFallbackURL), cfg.PushProject, cfg.PushToken)
		routes[domain.ChannelPush] = r
	}
	return routes, nil
}

// NewHandler serves /query (POST, GET, WebSocket graphql-transport-ws, SSE) and, when
// sandbox is set, the provider sandbox under /sandbox/.
func NewHandler(application *app.Application, sandbox *providersandbox.Server, logger *slog.Logger) http.Handler {
	srv := graphqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{App: application}}), logger, graphqlserver.Options{Subscriptions: true})
	mux := http.NewServeMux()
	mux.Handle("/query", srv)
	if sandbox != nil {
		mux.Handle("/sandbox/", http.StripPrefix("/sandbox", sandbox.Handler()))
	}
	return mux
}
