package core

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/ops"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
	"github.com/dizhtime/dizhtime/router/pkg/compose"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Router ties configuration, composition and the request path together.
type Router struct {
	cfg       config.Config
	composer  *compose.Composer
	engines   *EngineHolder
	logger    *slog.Logger
	sdlClient *http.Client
	registry  *prometheus.Registry
	metrics   *Metrics
	persisted *persistedQueries
	auth      *authenticator
	limiter   *rateLimiter
	// signer signs what each upstream request says about the caller (nil: nothing).
	signer  *authn.ServiceSigner
	clients clientAddresses

	// composeMu serialises compositions (start-up and hot reloads).
	composeMu  sync.Mutex
	supergraph *config.Supergraph
	// composedPrint fingerprints the files the serving graph was composed from, taken
	// before reading them, so an edit made while composing or before Watch starts is
	// still seen as a change.
	composedPrint []byte
	// hijacked is every WebSocket upgraded by the router's handlers, ended by Close.
	hijacked hijackedConns
}

// Options are a router's collaborators; every field may be left zero.
type Options struct {
	Logger *slog.Logger
	// Registry receives the router's metrics and is served on /metrics (a fresh
	// registry when nil).
	Registry *prometheus.Registry
}

// NewRouter returns a router with no engine yet; call Compose before serving traffic
// (until then the GraphQL endpoint answers 503 and /readyz is not ready).
func NewRouter(cfg config.Config, supergraph *config.Supergraph, opts Options) (*Router, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	metrics, err := NewMetrics(opts.Registry)
	if err != nil {
		return nil, fmt.Errorf("router metrics: %w", err)
	}
	pq := cfg.PersistedQueries
	persisted, err := newPersistedQueries(pq.APQ, pq.APQCacheSize, pq.SafelistFile)
	if err != nil {
		return nil, err
	}
	metrics.setSafelistedNames(persisted.safelistNames)
	var signer *authn.ServiceSigner
	if cfg.Auth.ServiceKeyFile != "" {
		if signer, err = authn.LoadServiceSigner(cfg.Auth.ServiceKeyFile); err != nil {
			return nil, err
		}
	} else if cfg.Auth.Enabled() {
		opts.Logger.Warn("auth.service_key_file is not set: subgraphs will see every caller as anonymous")
	}
	clients, err := newClientAddresses(cfg.Auth.TrustedProxies)
	if err != nil {
		return nil, err
	}
	return &Router{
		signer:     signer,
		clients:    clients,
		cfg:        cfg,
		supergraph: supergraph,
		composer:   compose.NewComposer(4).WithDiskCache(cfg.CompositionCacheDir),
		engines:    &EngineHolder{},
		logger:     opts.Logger,
		sdlClient:  &http.Client{Timeout: cfg.SubgraphTimeout},
		registry:   opts.Registry,
		metrics:    metrics,
		persisted:  persisted,
		auth:       newAuthenticator(cfg.Auth, opts.Logger),
		limiter:    newRateLimiter(cfg.RateLimit, cfg.RateLimit.KeyPrefix, opts.Logger),
	}, nil
}

// Engines exposes the engine holder (for tests and reloads).
func (r *Router) Engines() *EngineHolder { return r.engines }

// Compose gathers subgraph SDLs, composes them and swaps in a new engine. It runs off
// the request path: requests keep using the engine they started with, and the old
// engine is closed once they are done.
func (r *Router) Compose(ctx context.Context) (*compose.Result, error) {
	r.composeMu.Lock()
	defer r.composeMu.Unlock()
	return r.composeLocked(ctx, r.supergraph)
}

func (r *Router) composeLocked(ctx context.Context, sg *config.Supergraph) (*compose.Result, error) {
	files := fingerprint(r.cfg.SupergraphFile, sg)
	subgraphs, err := compose.Load(ctx, r.sdlClient, sg)
	if err != nil {
		return nil, err
	}
	res, err := r.composer.Compose(ctx, subgraphs)
	if err != nil {
		return nil, err
	}
	// A reload that composes what is already serving (a comment edited, a file
	// rewritten with the same schema) keeps the engine: swapping it would end every open
	// subscription for nothing.
	if cur := r.engines.Load(); cur != nil && compose.SameInputs(cur.composed.Subgraphs, res.Subgraphs) {
		r.supergraph = sg
		r.composedPrint = files
		r.logger.Info("supergraph unchanged, keeping the serving engine", "subgraphs", len(subgraphs))
		return cur.composed, nil
	}
	start := time.Now()
	eng, err := BuildEngine(ctx, res, EngineOptions{
		SubgraphTimeout:      r.cfg.SubgraphTimeout,
		MaxConcurrency:       r.cfg.Limits.MaxConcurrentResolvers,
		Logger:               r.logger,
		Metrics:              r.metrics,
		UpstreamPollInterval: r.cfg.Subscriptions.UpstreamPollInterval,
		Signer:               r.signer,
		DeduplicateFetches:   r.cfg.Deduplication.SubgraphFetches,
		ShareLatest:          r.cfg.Subscriptions.ShareLatest,
	})
	if err != nil {
		return nil, err
	}
	r.supergraph = sg
	r.composedPrint = files
	if old := r.engines.Swap(eng); old != nil {
		go old.retire(r.cfg.ShutdownTimeout)
	}
	r.logger.Info("supergraph composed", "subgraphs", len(subgraphs), "compose", res.Took, "from_disk_cache", res.FromDisk, "build", time.Since(start))
	return res, nil
}

// Handler returns the router's HTTP surface: the GraphQL endpoint, the explorer at /,
// and /healthz, /readyz, /metrics.
func (r *Router) Handler() http.Handler {
	ws := NewWebSocketHandler(r.engines, r.logger, r.cfg.Subscriptions.KeepAliveInterval, r.cfg.Subscriptions.ConnectionInitTimeout, r.metrics, r.cfg.Headers.Propagate)
	ws.auth, ws.limiter = r.auth, r.limiter
	ws.pipeline = r.pipeline()
	ws.requestTimeout = r.cfg.Limits.RequestTimeout
	ws.resubscribe = newResubscriber(r.engines, r.cfg.Subscriptions, r.logger)
	ws.live = &r.hijacked
	if loop, err := newWSLoop(r.cfg.Connections, r.registry); err != nil {
		r.logger.Warn("websocket event loop unavailable: a goroutine per connection", "error", err)
	} else {
		ws.loop = loop
	}
	gql := NewGraphQLHandler(GraphQLHandlerOptions{
		Engines:          r.engines,
		WebSocket:        ws,
		Logger:           r.logger,
		Limits:           r.cfg.Limits,
		Introspection:    r.cfg.Introspection,
		PersistedQueries: r.persisted,
		PropagateHeaders: r.cfg.Headers.Propagate,
		Metrics:          r.metrics,
		Heartbeat:        r.cfg.Subscriptions.KeepAliveInterval,
		Auth:             r.auth,
		RateLimiter:      r.limiter,
		Deduplicate:      r.cfg.Deduplication.Inbound,
	})
	gql.resubscribe = ws.resubscribe
	mux := http.NewServeMux()
	mux.Handle(r.cfg.GraphQLPath, newStreamCaps(r.cfg.Connections, r.registry, r.logger).wrap(gql))
	if r.cfg.Explorer {
		mux.Handle("/", explorerHandler(r.cfg.GraphQLPath))
	}
	ops.Mount(mux, r.registry, r.readiness())
	if r.cfg.Pprof {
		mountPprof(mux)
	}
	return r.clients.withClientAddress(withCORS(r.cfg.CORS, mux))
}

// pipeline is the operation checks every transport applies.
func (r *Router) pipeline() *operationPipeline {
	return &operationPipeline{limits: r.cfg.Limits, introspection: r.cfg.Introspection, persisted: r.persisted, metrics: r.metrics, logger: r.logger}
}

// readiness is ready when a supergraph is composed and every subgraph answers.
func (r *Router) readiness() *ops.Readiness {
	ready := ops.NewReadiness(3 * time.Second)
	ready.Add("supergraph", func(context.Context) error {
		if r.engines.Load() == nil {
			return fmt.Errorf("no composed supergraph yet")
		}
		return nil
	})
	ready.Add("subgraphs", func(ctx context.Context) error {
		eng := r.engines.Load()
		if eng == nil {
			return fmt.Errorf("no composed supergraph yet")
		}
		return pingSubgraphs(ctx, eng.composed.Subgraphs)
	})
	if check := openFilesCheck(r.cfg.Connections.FDHeadroom); check != nil {
		ready.Add("open files", check)
	}
	return ready
}

// Close stops the current engine.
func (r *Router) Close() {
	r.hijacked.closeAll()
	if eng := r.engines.Swap(nil); eng != nil {
		eng.Close()
	}
	r.limiter.close()
}

// Serve listens on cfg.ListenAddr until ctx ends, watching the supergraph for changes
// when hot reload is on, then drains in-flight requests and stops.
func (r *Router) Serve(ctx context.Context, ready func(addr string)) error {
	raiseOpenFileLimit(r.logger)
	ln, err := net.Listen("tcp", r.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", r.cfg.ListenAddr, err)
	}
	srv := &http.Server{
		Handler:           r.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	components := []lifecycle.Component{lifecycle.HTTPServerOn("http", srv, ln, r.cfg.ShutdownTimeout)}
	if r.cfg.HotReload.Enabled {
		components = append(components, lifecycle.Func("supergraph watcher", r.Watch))
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	defer r.Close()
	return lifecycle.Run(ctx, r.logger, r.cfg.ShutdownTimeout+time.Second, components...)
}
