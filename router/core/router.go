package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/compose"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Router ties configuration, composition and the request path together.
type Router struct {
	cfg        config.Config
	supergraph *config.Supergraph
	composer   *compose.Composer
	engines    *EngineHolder
	logger     *slog.Logger
	sdlClient  *http.Client
}

// NewRouter returns a router with no engine yet; call Compose before serving traffic
// (until then the GraphQL endpoint answers 503 and /readyz is not ready).
func NewRouter(cfg config.Config, supergraph *config.Supergraph, logger *slog.Logger) *Router {
	if logger == nil {
		logger = slog.Default()
	}
	return &Router{
		cfg:        cfg,
		supergraph: supergraph,
		composer:   compose.NewComposer(4),
		engines:    &EngineHolder{},
		logger:     logger,
		sdlClient:  &http.Client{Timeout: cfg.SubgraphTimeout},
	}
}

// Engines exposes the engine holder (for tests and reloads).
func (r *Router) Engines() *EngineHolder { return r.engines }

// Compose gathers subgraph SDLs, composes them and swaps in a new engine. It runs off
// the request path: requests keep using the previous engine until the swap.
func (r *Router) Compose(ctx context.Context) (*compose.Result, error) {
	subgraphs, err := compose.Load(ctx, r.sdlClient, r.supergraph)
	if err != nil {
		return nil, err
	}
	res, err := r.composer.Compose(ctx, subgraphs)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	eng, err := BuildEngine(ctx, res, EngineOptions{
		SubgraphTimeout: r.cfg.SubgraphTimeout,
		MaxConcurrency:  r.cfg.Limits.MaxConcurrentResolvers,
		Logger:          r.logger,
	})
	if err != nil {
		return nil, err
	}
	if old := r.engines.Swap(eng); old != nil {
		// TODO(hot reload): drain subscriptions on the old engine instead of cutting them.
		old.Close()
	}
	r.logger.Info("supergraph composed", "subgraphs", len(subgraphs), "compose", res.Took, "build", time.Since(start))
	return res, nil
}

// Handler returns the router's HTTP surface.
func (r *Router) Handler() http.Handler {
	ws := NewWebSocketHandler(r.engines, r.logger, r.cfg.Subscriptions.KeepAliveInterval, r.cfg.Subscriptions.ConnectionInitTimeout)
	gql := NewGraphQLHandler(GraphQLHandlerOptions{
		Engines:       r.engines,
		WebSocket:     ws,
		Logger:        r.logger,
		MaxBodyBytes:  r.cfg.Limits.MaxRequestBodyBytes,
		Introspection: r.cfg.Introspection,
	})
	mux := http.NewServeMux()
	mux.Handle(r.cfg.GraphQLPath, gql)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if r.engines.Load() == nil {
			http.Error(w, "no composed supergraph yet", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	return mux
}

// Close stops the current engine.
func (r *Router) Close() {
	if eng := r.engines.Swap(nil); eng != nil {
		eng.Close()
	}
}

// Serve listens on cfg.ListenAddr until ctx ends, then shuts down gracefully.
func (r *Router) Serve(ctx context.Context, ready func(addr string)) error {
	srv := &http.Server{
		Addr:              r.cfg.ListenAddr,
		Handler:           r.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(_ net.Listener) context.Context { return ctx },
	}
	ln, err := net.Listen("tcp", r.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", r.cfg.ListenAddr, err)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errCh := make(chan error, 1)
	go func() { errCh <- srv.Serve(ln) }()
	select {
	case err := <-errCh:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	r.Close()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
