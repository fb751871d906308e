package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/wundergraph/graphql-go-tools/execution/graphql"
	"github.com/wundergraph/graphql-go-tools/execution/subscription"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/graphqlerrors"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
)

// subscriptionEngine runs the operations of one WebSocket connection.
//
// It replaces graphql-go-tools' stock ExecutorEngine, which never tells the client a
// subscription is complete: when upstream finishes it re-runs the subscription every
// second, forever. Here each operation runs once; when upstream completes the client
// gets `complete`.
type subscriptionEngine struct {
	engines *EngineHolder
	// header is the upgrade request's headers, kept for header propagation rules.
	header    http.Header
	logger    *slog.Logger
	metrics   *Metrics
	transport string // graphql-transport-ws or graphql-ws, for metrics
	// remoteAddr is the client's address, for per-IP rate limits.
	remoteAddr string
	limiter    *rateLimiter
	// authRequired refuses operations of a connection that proved no identity.
	authRequired bool
	// traceParent is the upgrade request's trace: each operation's span continues it.
	traceParent trace.SpanContext
	// pipeline is the checks every operation passes (pipeline.go).
	pipeline *operationPipeline
	// requestTimeout bounds a query or mutation (0: none).
	requestTimeout time.Duration
	// resubscribe keeps subscriptions going across upstream drops and reloads.
	resubscribe *resubscriber
	// async runs subscriptions without a goroutine waiting on each (the event loop's
	// connections, subscription_async.go).
	async bool

	mu  sync.Mutex
	ops map[string]*runningOperation
	// identity is what the upgrade request's Authorization or connection_init proved.
	identity *authn.Identity
	// token is the raw credential identity came from (the upgrade request's Authorization
	// header or connection_init's token): part of a shared subscription's key.
	token string
	// extensions are subscribe payloads' extensions by operation id, kept by
	// extensionsKeepingClient until StartOperation takes them.
	extensions map[string]json.RawMessage
}

func (s *subscriptionEngine) keepExtensions(id string, ext json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.extensions == nil {
		s.extensions = map[string]json.RawMessage{}
	}
	s.extensions[id] = ext
}

func (s *subscriptionEngine) takeExtensions(id string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	ext := s.extensions[id]
	delete(s.extensions, id)
	return ext
}

type runningOperation struct {
	cancel context.CancelFunc
	// stopped is set when the client (or connection teardown) ended the operation;
	// then no `complete` is owed.
	stopped bool
}

func newSubscriptionEngine(engines *EngineHolder, header http.Header, logger *slog.Logger, metrics *Metrics, transport string) *subscriptionEngine {
	return &subscriptionEngine{engines: engines, header: header, logger: logger, metrics: metrics, transport: transport, ops: map[string]*runningOperation{}}
}

var errDuplicateID = errors.New("an operation with this id is already running")

// StartOperation starts one subscribe/start message's operation in the background.
func (s *subscriptionEngine) StartOperation(ctx context.Context, id string, payload []byte, events subscription.EventHandler) error {
	var params operationParams
	kept := s.takeExtensions(id)
	if err := json.Unmarshal(payload, &params); err != nil {
		emitErrors(events, id, newError(CodeBadRequest, "payload is not a GraphQL request"))
		return nil
	}
	if len(params.Extensions) == 0 {
		params.Extensions = kept
	}
	identity := s.callerIdentity()
	if refused := s.refuse(ctx, identity); refused != nil {
		s.metrics.observeOperation("", "unknown", 0, refused.Extensions["code"].(string))
		events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id, errorResult(*refused), nil)
		return nil
	}
	// The same checks as over HTTP: safelist and APQ, introspection, limits, cost,
	// validation, authorization.
	prepared, rejected := s.pipeline.prepare(s.engines, params, identity)
	if rejected != nil {
		s.emitRefusal(events, id, rejected)
		return nil
	}
	eng, req, opType := prepared.eng, prepared.req, prepared.opType
	opName := prepared.name
	ctx, st := withRequestState(ctx, s.header, identity)
	st.setClientIP(clientIP(s.remoteAddr))
	opCtx, cancel := context.WithCancel(ctx)
	op := &runningOperation{cancel: cancel}
	s.mu.Lock()
	if _, dup := s.ops[id]; dup {
		s.mu.Unlock()
		cancel()
		eng.release()
		events.Emit(subscription.EventTypeOnDuplicatedSubscriberID, id, nil, errDuplicateID)
		return errDuplicateID
	}
	s.ops[id] = op
	s.mu.Unlock()

	if opType == graphql.OperationTypeSubscription && s.async && s.startAsync(opCtx, eng, req, opName, id, op, events, st) {
		return nil
	}
	go func() {
		defer eng.release()
		defer s.metrics.subscriptionStarted(s.transport)()
		opCtx, span := startOperationSpan(opCtx, s.traceParent, s.transport, opTypeName(opType), req.OperationName)
		defer span.end(opCtx)
		s.run(opCtx, eng, req, opType, opName, id, op, events, st)
	}()
	return nil
}

func (s *subscriptionEngine) setIdentity(id *authn.Identity) {
	s.mu.Lock()
	s.identity = id
	s.mu.Unlock()
}

func (s *subscriptionEngine) setToken(token string) {
	s.mu.Lock()
	s.token = token
	s.mu.Unlock()
}

func (s *subscriptionEngine) callerToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

func (s *subscriptionEngine) callerIdentity() *authn.Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identity
}

// refuse applies, per operation, what the HTTP handler applies per request before the
// pipeline: a token that has expired since connection_init, a required identity and the
// rate limit. (@authenticated / @requiresScopes are the pipeline's.)
func (s *subscriptionEngine) refuse(ctx context.Context, id *authn.Identity) *clientError {
	if id != nil && !id.ExpiresAt.IsZero() && !time.Now().Before(id.ExpiresAt) {
		e := unauthenticated(errTokenExpired)
		return &e
	}
	if id == nil && s.authRequired {
		e := unauthenticated(errNoToken)
		return &e
	}
	if wait := s.limiter.allow(ctx, id, s.remoteAddr); wait > 0 {
		e := rateLimited(wait)
		return &e
	}
	return nil
}

// emitRefusal tells the client an operation was refused. Refusals that are GraphQL
// validation errors are protocol `error` messages (as the library's own validation
// answered them); every other refusal is a result carrying the errors, then complete,
// as an HTTP client would get them in the response body.
func (s *subscriptionEngine) emitRefusal(events subscription.EventHandler, id string, r *refusedOperation) {
	switch r.code() {
	case CodeValidationFailed, CodeBadRequest, CodeNotReady:
		emitErrors(events, id, r.errs...)
	default:
		events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id, errorResult(r.errs...), nil)
	}
}

// errorResult is a GraphQL response carrying only errors.
func errorResult(errs ...clientError) []byte {
	return mustJSON(map[string]any{"errors": errs})
}

func (s *subscriptionEngine) run(ctx context.Context, eng *Engine, req *graphql.Request, opType graphql.OperationType, opName, id string, op *runningOperation, events subscription.EventHandler, st *requestState) {
	defer s.forget(id, op)

	if opType != graphql.OperationTypeSubscription {
		start := time.Now()
		typeName := opTypeName(opType)
		if s.requestTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, s.requestTimeout)
			defer cancel()
		}
		var out bytes.Buffer
		w := &eventWriter{}
		w.flush = func(data []byte) { out.Write(data) }
		query, operationName := req.Query, req.OperationName
		err := eng.exec.Execute(ctx, req, w, callerOptions(st)...)
		if ctx.Err() == context.DeadlineExceeded {
			s.metrics.observeExecution(ctx, opName, typeName, time.Since(start), CodeRequestTimeout)
			events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id,
				errorResult(newError(CodeRequestTimeout, "the operation took longer than the request timeout")), nil)
			return
		}
		if err != nil {
			errs := operationErrors(withTrace(ctx, s.logger), err)
			s.metrics.observeExecution(ctx, opName, typeName, time.Since(start), errs[0].Extensions["code"].(string))
			emitErrors(events, id, errs...)
			return
		}
		_ = w.Flush()
		body, code := annotateSubgraphErrors(eng.hidden.hideOutput(query, operationName, out.Bytes()), st)
		s.metrics.observeExecution(ctx, opName, typeName, time.Since(start), code)
		events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id, body, nil)
		return
	}
	s.metrics.observeOperation(opName, "subscription", 0, "")

	query, operationName := req.Query, req.OperationName
	send := func(data []byte) {
		data, _ = annotateSubgraphErrors(eng.hidden.hideOutput(query, operationName, data), st)
		sentEvent(ctx)
		events.Emit(subscription.EventTypeOnSubscriptionData, id, data, nil)
	}
	// Execution blocks until upstream completes, ctx ends or the caller's token expires:
	// then the subscription ends with UNAUTHENTICATED and the client reconnects with a
	// fresh token (graphql-ws clients re-run connectionParams on reconnect). An upstream
	// that goes away is re-established (subscription_resume.go).
	ctx, stop := untilTokenExpires(ctx, st)
	defer stop()
	end, err := s.resubscribe.run(ctx, eng, req.Query, req.OperationName, req.Variables, st, send)
	s.tellEnd(ctx, events, id, op, req.OperationName, end, err)
}

// tellEnd tells the client how its subscription ended (resubscriber.run's end), on the
// blocking path and the event loop's alike: UNAUTHENTICATED when its token expired,
// nothing when it left or stopped the subscription, SUPERGRAPH_RELOADED, the engine's
// errors, or complete.
func (s *subscriptionEngine) tellEnd(ctx context.Context, events subscription.EventHandler, id string, op *runningOperation, operationName string, end subscriptionEnd, err error) {
	if tokenExpired(ctx) {
		events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id, errorResult(unauthenticated(errTokenExpired)), nil)
		return
	}
	s.mu.Lock()
	stopped := op.stopped
	s.mu.Unlock()
	if stopped || ctx.Err() != nil || end == endClient {
		return // the client left: nobody to tell
	}
	switch end {
	case endReloaded:
		// A hot reload retired the engine and resubscribing is off: the client
		// subscribes again and lands on the new supergraph.
		withTrace(ctx, s.logger).Info("subscription ended by a supergraph reload", "operation", operationName)
		events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id, errorResult(newError(CodeSupergraphReloaded,
			"The router's supergraph changed: this subscription ended, subscribe again.")), nil)
	case endError:
		emitErrors(events, id, operationErrors(s.logger, err)...)
	default:
		events.Emit(subscription.EventTypeOnSubscriptionCompleted, id, nil, nil)
	}
}

// emitErrors sends a graphql-transport-ws `error` (graphql-ws `error`) message whose
// errors carry extensions.code; the library's own rendering of a Go error has none.
func emitErrors(events subscription.EventHandler, id string, errs ...clientError) {
	out := make(graphqlerrors.RequestErrors, 0, len(errs))
	for _, ce := range errs {
		code, _ := ce.Extensions["code"].(string)
		if code == "" {
			code = CodeInternal
		}
		re := graphqlerrors.RequestError{Message: ce.Message, Extensions: &graphqlerrors.Extensions{Code: code}}
		if len(ce.Locations) > 0 {
			_ = json.Unmarshal(ce.Locations, &re.Locations)
		}
		out = append(out, re)
	}
	events.Emit(subscription.EventTypeOnError, id, nil, out)
}

// forget ends an operation: removed from the connection's operations if id still names it
// (a later subscribe may reuse the id), then cancelled.
func (s *subscriptionEngine) forget(id string, op *runningOperation) {
	s.mu.Lock()
	if s.ops[id] == op {
		delete(s.ops, id)
	}
	s.mu.Unlock()
	op.cancel()
}

// StopSubscription ends one operation at the client's request.
func (s *subscriptionEngine) StopSubscription(id string, _ subscription.EventHandler) error {
	s.mu.Lock()
	op, ok := s.ops[id]
	if ok {
		op.stopped = true
		delete(s.ops, id)
	}
	s.mu.Unlock()
	if ok {
		op.cancel()
	}
	return nil
}

// TerminateAllSubscriptions ends every operation; the connection is going away.
func (s *subscriptionEngine) TerminateAllSubscriptions(_ subscription.EventHandler) error {
	s.mu.Lock()
	ops := s.ops
	s.ops = map[string]*runningOperation{}
	for _, op := range ops {
		op.stopped = true
	}
	s.mu.Unlock()
	for _, op := range ops {
		op.cancel()
	}
	return nil
}

// eventWriter collects one event's response and hands it on at each Flush.
type eventWriter struct {
	buf   bytes.Buffer
	flush func([]byte)
}

func (w *eventWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *eventWriter) Flush() error {
	if w.buf.Len() == 0 {
		return nil
	}
	data := bytes.Clone(w.buf.Bytes())
	w.buf.Reset()
	w.flush(data)
	return nil
}

func (w *eventWriter) Complete()                             {}
func (w *eventWriter) Heartbeat() error                      { return nil }
func (w *eventWriter) Close(_ resolve.SubscriptionCloseKind) {}

var _ subscription.Engine = (*subscriptionEngine)(nil)
var _ resolve.SubscriptionResponseWriter = (*eventWriter)(nil)

// subgraphGoneResult is the result telling a client its subscription ended because its
// subgraph went away: the subgraphs serving the operation that no longer accept a TCP
// connection (nil when all do).
func (e *Engine) subgraphGoneResult(ctx context.Context, req *graphql.Request) []byte {
	var down []subgraphTarget
	for _, sg := range e.subscriptionSubgraphs(req) {
		if !reachable(ctx, sg.url) {
			down = append(down, sg)
		}
	}
	return goneResult(down)
}

// upstreamDroppedResult is the result for a subscription whose upstream connection broke:
// every subgraph serving it is named, reachable or not (the connection is gone either way).
func (e *Engine) upstreamDroppedResult(req *graphql.Request) []byte {
	return goneResult(e.subscriptionSubgraphs(req))
}

func goneResult(subgraphs []subgraphTarget) []byte {
	if len(subgraphs) == 0 {
		return nil
	}
	errs := make([]clientError, 0, len(subgraphs))
	for _, sg := range subgraphs {
		ce := newError(CodeSubgraphUnavailable, fmt.Sprintf("Subgraph '%s' went away: the subscription ended without completing.", sg.name))
		ce.Extensions["subgraph"] = sg.name
		errs = append(errs, ce)
	}
	return errorResult(errs...)
}

type subgraphTarget struct{ name, url string }

// subscriptionSubgraphs names the subgraphs serving the operation's root subscription fields,
// with the URL their subscriptions use.
func (e *Engine) subscriptionSubgraphs(req *graphql.Request) []subgraphTarget {
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil {
		return nil
	}
	op := pickOperation(doc, req.OperationName)
	if op == nil {
		return nil
	}
	fields := map[string]bool{}
	for _, sel := range op.SelectionSet {
		if f, ok := sel.(*ast.Field); ok {
			fields[f.Name] = true
		}
	}
	var out []subgraphTarget
	for _, ds := range e.composed.RouterConfig.GetEngineConfig().GetDatasourceConfigurations() {
		serves := false
		for _, n := range ds.GetRootNodes() {
			if n.GetTypeName() != "Subscription" {
				continue
			}
			for _, f := range n.GetFieldNames() {
				serves = serves || fields[f]
			}
		}
		if !serves {
			continue
		}
		for _, sg := range e.composed.Subgraphs {
			if sg.Name != ds.GetId() {
				continue
			}
			target := sg.SubscriptionURL
			if target == "" {
				target = sg.RoutingURL
			}
			out = append(out, subgraphTarget{name: sg.Name, url: target})
		}
	}
	return out
}

// reachable reports whether the URL's host accepts a TCP connection within a second.
func reachable(ctx context.Context, rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return true
	}
	host := u.Host
	if u.Port() == "" {
		switch u.Scheme {
		case "https", "wss":
			host = net.JoinHostPort(u.Hostname(), "443")
		default:
			host = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
