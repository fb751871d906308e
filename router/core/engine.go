package core

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/jensneuse/abstractlogger"
	"github.com/wundergraph/graphql-go-tools/execution/engine"
	"github.com/wundergraph/graphql-go-tools/execution/graphql"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/graphql_datasource"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"golang.org/x/sync/singleflight"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
	"github.com/dizhtime/dizhtime/router/pkg/compose"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Engine is one composed supergraph ready to execute operations.
type Engine struct {
	exec     *engine.ExecutionEngine
	composed *compose.Result
	cancel   context.CancelFunc
	// done is closed once the engine is closed (replaced and retired, or shut down).
	done <-chan struct{}
	// prepared executes queries and mutations from plans remembered per operation.
	prepared *preparedPlans
	// ops remembers the pipeline's work per operation text (see operationCache).
	ops   *operationCache
	authz *operationAuthorizer
	// client is the schema clients see when it differs from the one the engine plans
	// with (@inaccessible fields and types left out); nil when they are the same.
	client *graphql.Schema
	// cost estimates operations for limits.max_cost, over the client schema.
	cost *costModel
	// hidden keeps inaccessible enum values and types out of inputs and responses
	// (nil when the supergraph hides none).
	hidden *inaccessibleValues
	// unplannable refuses selections the engine would answer with a guess (nil: none).
	unplannable *unplannableSelections
	// drops records when subgraphs ended upstream subscription connections.
	drops *upstreamDrops
	// subscriptions remembers subscription plans for the event loop's subscriptions
	// (subscription_async.go).
	subscriptions subscriptionPlans
	// inFlight counts operations running on this engine, so a replaced engine is
	// closed only once they are done.
	inFlight atomic.Int64
	// BuiltAt is when the engine was built.
	BuiltAt time.Time
}

// EngineOptions tune how an engine reaches subgraphs.
type EngineOptions struct {
	SubgraphTimeout time.Duration
	// UpstreamPollInterval is how often the engine's upstream subscription client reads
	// from its subgraph sockets (0: 2 ms). Each read takes one message per connection, so
	// the engine's 100 ms default capped a subscription at ten events a second.
	UpstreamPollInterval time.Duration
	MaxConcurrency       int
	Logger               *slog.Logger
	Metrics              *Metrics
	// Signer signs the identity each upstream request carries (nil: none is sent).
	Signer *authn.ServiceSigner
	// DeduplicateFetches sends identical in-flight subgraph requests once (see sharedFetch).
	DeduplicateFetches bool
	// ShareLatest names the subscription fields whose identical subscriptions of one
	// caller share one upstream SSE stream (see sharedStreams).
	ShareLatest []string
}

// BuildEngine turns a composition result into an execution engine. The engine owns
// goroutines (the resolver's event loop, upstream subscriptions) until Close.
func BuildEngine(ctx context.Context, composed *compose.Result, opts EngineOptions) (*Engine, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	engineCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))

	// Fields whose nullability differs between members of a union or interface in one
	// subgraph: the engine sees them nullable, the transport aliases them (upstream_aliases.go).
	routerConfig, conflicting, err := loosenConflictingMemberFields(composed.RouterConfig)
	if err != nil {
		cancel()
		return nil, err
	}
	subgraphs := map[string]upstreamSubgraph{}
	for _, s := range composed.Subgraphs {
		timeout := s.Timeout
		if timeout == 0 {
			timeout = opts.SubgraphTimeout
		}
		var aliases *upstreamAliaser
		if fields := conflicting[s.Name]; len(fields) > 0 {
			aliases = newUpstreamAliaser(fields)
		}
		subgraphs[s.RoutingURL] = upstreamSubgraph{name: s.Name, timeout: timeout, aliases: aliases}
		switch s.Protocol {
		case config.ProtocolGraphQLTransportWS, config.ProtocolGraphQLWS:
			url := s.SubscriptionURL
			if url == "" {
				url = s.RoutingURL
			}
			subgraphs[httpURL(url)] = upstreamSubgraph{name: s.Name, timeout: timeout, subprotocol: string(s.Protocol)}
		case config.ProtocolSSE:
			if url := s.SubscriptionURL; url != "" && url != s.RoutingURL {
				subgraphs[url] = upstreamSubgraph{name: s.Name, timeout: timeout}
			}
		}
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	drops := &upstreamDrops{}
	var fetchDedup *singleflight.Group
	if opts.DeduplicateFetches {
		fetchDedup = &singleflight.Group{}
	}
	dialWS, dialWSS := dialWholeMessages(dialer, drops.record)
	// Upstream SSE subscriptions: HTTP/2 streams sharing a few connections per subgraph
	// (upstream_sse.go), signed and traced per stream like any fetch.
	streaming := &http.Client{Transport: &upstreamTransport{
		base:      newUpstreamStreamTransport(dialer),
		subgraphs: subgraphs,
		metrics:   opts.Metrics,
		signer:    opts.Signer,
	}}
	client := &http.Client{Transport: &upstreamTransport{
		base: &http.Transport{
			Proxy:       nil,
			DialContext: dialer.DialContext,
			// Idle connections kept per subgraph: enough for the fetches in flight at
			// once under load. With 256, 500 bench clients had about 390 connections
			// per subgraph open and the router closed and redialled a third of its
			// fetches' connections (TIME_WAIT); see router/README.md "Performance".
			MaxIdleConns:        4096,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     90 * time.Second,
		},
		// An upgraded connection is never pooled again: nothing to keep idle.
		upgrades: &http.Transport{
			Proxy:             nil,
			DialContext:       dialWS,
			DialTLSContext:    dialWSS,
			DisableKeepAlives: true,
		},
		subgraphs: subgraphs,
		metrics:   opts.Metrics,
		signer:    opts.Signer,
		dedup:     fetchDedup,
	}}

	poll := opts.UpstreamPollInterval
	if poll <= 0 {
		poll = 2 * time.Millisecond
	}
	factory := engine.NewFederationEngineConfigFactory(engineCtx, nil,
		engine.WithFederationHttpClient(client),
		engine.WithFederationStreamingClient(streaming),
		engine.WithFederationSubscriptionClientFactory(upstreamSubscriptionClients{pollInterval: poll}),
	)
	// Introspection (the explorer's docs) shows each field's gate in its description.
	documented, err := withGatesInDescriptions(routerConfig)
	if err != nil {
		cancel()
		return nil, err
	}
	// Clients see the API only: no federation directives or openfed__ types.
	if documented, err = withoutFederationInternals(documented); err != nil {
		cancel()
		return nil, err
	}
	cfg, err := factory.BuildEngineConfigurationWithRouterConfig(documented)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("build engine configuration: %w", err)
	}
	if err := keySubscriptionsByCaller(cfg.DataSources()); err != nil {
		cancel()
		return nil, err
	}
	if err := serveSSESubscriptions(cfg.DataSources(), streaming, engineCtx, drops, opts.ShareLatest); err != nil {
		cancel()
		return nil, err
	}
	authz, err := newOperationAuthorizer(composed)
	if err != nil {
		cancel()
		return nil, err
	}
	exec, err := engine.NewExecutionEngine(engineCtx, abstractlogger.Noop{}, cfg, resolve.ResolverOptions{
		MaxConcurrency:          opts.MaxConcurrency,
		PropagateSubgraphErrors: true,
		// A subgraph's errors reach the client as they are — message, path (rewritten from
		// _entities to the client's path), extensions.code and the fields our subgraphs
		// add — with extensions.serviceName, as Cosmo's pass-through mode and Apollo
		// Router's subgraph error inclusion do: a wrong password reads "wrong email or
		// password", not "Failed to fetch from Subgraph". The engine's wrapper remains
		// only for transport failures (annotateSubgraphErrors codes those). Subgraph
		// locations point into the subgraph's query, not the client's, so they are dropped.
		SubgraphErrorPropagationMode:       resolve.SubgraphErrorPropagationModePassThrough,
		RewriteSubgraphErrorPaths:          true,
		OmitSubgraphErrorLocations:         true,
		AttachServiceNameToErrorExtensions: true,
		DefaultErrorExtensionCode:          "DOWNSTREAM_SERVICE_ERROR",
		AllowedErrorExtensionFields:        []string{"code", "field", "retryAfterSeconds", "traceId"},
		MaxSubscriptionFetchTimeout:        opts.SubgraphTimeout,
		AsyncErrorWriter:                   &subscriptionErrorWriter{logger: opts.Logger},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("create execution engine: %w", err)
	}
	prepared, err := engineInternals(exec, cfg.Schema())
	if err != nil {
		cancel()
		return nil, err
	}
	var clientSchema *graphql.Schema
	if sdl := composed.RouterConfig.GetEngineConfig().GetGraphqlClientSchema(); sdl != "" {
		if clientSchema, err = graphql.NewSchemaFromString(sdl); err != nil {
			cancel()
			return nil, fmt.Errorf("parse client schema: %w", err)
		}
	}
	costSDL := composed.RouterConfig.GetEngineConfig().GetGraphqlClientSchema()
	if costSDL == "" {
		costSDL = composed.SupergraphSDL()
	}
	cost, err := newCostModel(costSDL)
	if err != nil {
		cancel()
		return nil, err
	}
	hidden, err := newInaccessibleValues(composed.SupergraphSDL(), composed.RouterConfig.GetEngineConfig().GetGraphqlClientSchema())
	if err != nil {
		cancel()
		return nil, err
	}
	unplannable, err := newUnplannableSelections(composed.RouterConfig)
	if err != nil {
		cancel()
		return nil, err
	}
	return &Engine{exec: exec, composed: composed, cancel: cancel, done: engineCtx.Done(), prepared: prepared, ops: newOperationCache(), authz: authz, client: clientSchema, cost: cost, hidden: hidden, unplannable: unplannable, drops: drops, BuiltAt: time.Now()}, nil
}

// validateForClients validates the operation against the schema clients see. The
// engine validates against the full supergraph, where @inaccessible fields still
// exist (it needs them to plan); this check is what hides them. Its result depends on
// the text and the variables' shape only (the pipeline remembers it per shape);
// inaccessible enum values in variables depend on the values and are checked per
// request (checkHiddenInput).
func (e *Engine) validateForClients(query, operationName string, variables []byte) error {
	if e.client == nil {
		return nil
	}
	req := &graphql.Request{Query: query, OperationName: operationName, Variables: variables}
	// Normalize first, as the engine does: the validator expects inlined fragments.
	norm, err := req.Normalize(e.client)
	if err != nil {
		return err
	}
	if !norm.Successful && norm.Errors != nil && norm.Errors.Count() > 0 {
		return norm.Errors
	}
	res, err := req.ValidateForSchema(e.client)
	if err != nil {
		return err
	}
	if !res.Valid && res.Errors != nil && res.Errors.Count() > 0 {
		return res.Errors
	}
	return e.unplannable.check(query, operationName)
}

// checkHiddenInput refuses inaccessible enum values passed as literals or variables.
func (e *Engine) checkHiddenInput(query, operationName string, variables []byte) error {
	return e.hidden.checkInput(query, operationName, variables)
}

// Composed is the supergraph this engine serves.
func (e *Engine) Composed() *compose.Result { return e.composed }

// Close stops the engine's resolver and its upstream subscriptions.
func (e *Engine) Close() { e.cancel() }

// closed reports whether Close has run: operations still on the engine were cut short.
func (e *Engine) closed() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

func (e *Engine) acquire() *Engine {
	e.inFlight.Add(1)
	return e
}

func (e *Engine) release() { e.inFlight.Add(-1) }

// retire closes a replaced engine once its operations are done, or after wait (long
// subscriptions on the old graph end then).
func (e *Engine) retire(wait time.Duration) {
	deadline := time.Now().Add(wait)
	for e.inFlight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	e.Close()
}

// EngineHolder hands out the current engine; Swap replaces it without blocking
// requests in flight, which keep the engine they started with.
type EngineHolder struct {
	current atomic.Pointer[Engine]
}

// Load returns the current engine, or nil before the first one is built.
func (h *EngineHolder) Load() *Engine { return h.current.Load() }

// Acquire returns the current engine marked in use (nil before the first one is
// built); call release when the operation is done.
func (h *EngineHolder) Acquire() *Engine {
	if e := h.current.Load(); e != nil {
		return e.acquire()
	}
	return nil
}

// Swap installs next and returns the engine it replaced (nil at first).
func (h *EngineHolder) Swap(next *Engine) *Engine { return h.current.Swap(next) }

// subscriptionErrorWriter renders an error that happened while resolving one
// subscription event: the client gets a generic GraphQL error, the detail goes to logs.
type subscriptionErrorWriter struct{ logger *slog.Logger }

func (s *subscriptionErrorWriter) WriteError(_ *resolve.Context, err error, _ *resolve.GraphQLResponse, w io.Writer) {
	s.logger.Error("resolve subscription event", "error", err)
	_, _ = w.Write(errorResult(newError(CodeInternal, "could not resolve subscription event")))
	if f, ok := w.(resolve.SubscriptionResponseWriter); ok {
		_ = f.Flush()
	}
}

// keySubscriptionsByCaller makes the engine tell callers apart when it decides whether
// two client subscriptions can share one upstream subscription (see upstreamKeyHeader).
// The engine hashes the client headers a data source names in ForwardedClientHeaderNames,
// but execution v1.6.0's federation factory leaves that list empty and keeps the
// subscription configuration unexported, so it is reached by reflection here; a build
// of the engine that moves it fails this function, and with it every test.
func keySubscriptionsByCaller(sources []plan.DataSource) error {
	for _, ds := range sources {
		gc, ok := ds.(interface {
			CustomConfiguration() graphql_datasource.Configuration
		})
		if !ok {
			return fmt.Errorf("data source %s: not a GraphQL data source (%T)", ds.Id(), ds)
		}
		custom := gc.CustomConfiguration()
		field := reflect.ValueOf(&custom).Elem().FieldByName("subscription")
		if !field.IsValid() || field.Type() != reflect.TypeFor[*graphql_datasource.SubscriptionConfiguration]() {
			return fmt.Errorf("data source %s: the engine's subscription configuration moved; upstream subscriptions cannot be keyed by caller", ds.Id())
		}
		if field.IsNil() {
			continue
		}
		// The configuration holds a pointer: the data source sees this change.
		sub := (*graphql_datasource.SubscriptionConfiguration)(unsafe.Pointer(field.Pointer()))
		sub.ForwardedClientHeaderNames = []string{upstreamKeyHeader}
	}
	return nil
}

// callerOptions hands the engine the caller's upstream key (see upstreamKeyHeader).
func callerOptions(st *requestState) []engine.ExecutionOptions {
	if st == nil {
		return nil
	}
	return []engine.ExecutionOptions{engine.WithAdditionalHttpHeaders(http.Header{upstreamKeyHeader: {st.upstreamKey()}})}
}

// callerHeader is callerOptions for a prepared plan: the headers the resolver hands to
// each subgraph fetch of this caller.
func callerHeader(st *requestState) http.Header {
	if st == nil {
		return nil
	}
	return http.Header{upstreamKeyHeader: {st.upstreamKey()}}
}

// upstreamSubscriptionClients builds the engine's default upstream subscription client with
// a short socket poll interval (see EngineOptions.UpstreamPollInterval).
//
// Note: WithNetPollConfiguration replaces the whole configuration, and this one leaves
// Enable false, so the client does not use epoll at all: each upstream connection gets
// its own blocking reader goroutine (and TickInterval is unused). That is the mode
// wholeMessageConn is written for; epoll mode would also need the socket's fd, which the
// wrapper hides. Left as is on purpose until the poll interval setting is revisited.
//
// SSE subscriptions are served by the router's own client instead (routerSubscriptionClient,
// upstream_sse.go, put in place by serveSSESubscriptions), on HTTP/2 streams.
type upstreamSubscriptionClients struct{ pollInterval time.Duration }

func (f upstreamSubscriptionClients) NewSubscriptionClient(httpClient, streamingClient *http.Client, engineCtx context.Context, options ...graphql_datasource.Options) graphql_datasource.GraphQLSubscriptionClient {
	options = append(options, graphql_datasource.WithNetPollConfiguration(graphql_datasource.NetPollConfiguration{
		TickInterval: f.pollInterval,
	}))
	// The engine accepts its own client type only; serveSSESubscriptions wraps it later.
	return graphql_datasource.NewGraphQLSubscriptionClient(httpClient, streamingClient, engineCtx, options...)
}
