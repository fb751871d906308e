package core

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/wundergraph/graphql-go-tools/execution/graphql"
	"github.com/wundergraph/graphql-go-tools/execution/subscription"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"

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

	mu  sync.Mutex
	ops map[string]*runningOperation
	// identity is what the upgrade request's Authorization or connection_init proved.
	identity *authn.Identity
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
	// A fresh request per execution: the engine normalizes requests in place.
	var req graphql.Request
	if err := graphql.UnmarshalRequest(bytes.NewReader(payload), &req); err != nil {
		events.Emit(subscription.EventTypeOnError, id, nil, errors.New("payload is not a GraphQL request"))
		return nil
	}
	opType, err := req.OperationType()
	if err != nil {
		events.Emit(subscription.EventTypeOnError, id, nil, err)
		return nil
	}
	eng := s.engines.Acquire()
	if eng == nil {
		events.Emit(subscription.EventTypeOnError, id, nil, errors.New("router has no composed supergraph yet"))
		return nil
	}
	identity := s.callerIdentity()
	if refused := s.refuse(ctx, eng, &req, identity); refused != nil {
		eng.release()
		s.metrics.observeOperation(req.OperationName, opTypeName(opType), 0, refused.Extensions["code"].(string))
		events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id, errorResult(*refused), nil)
		return nil
	}

	ctx, st := withRequestState(ctx, s.header, identity)
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

	go func() {
		defer eng.release()
		defer s.metrics.subscriptionStarted(s.transport)()
		s.run(opCtx, eng, &req, opType, id, op, events, st)
	}()
	return nil
}

func (s *subscriptionEngine) setIdentity(id *authn.Identity) {
	s.mu.Lock()
	s.identity = id
	s.mu.Unlock()
}

func (s *subscriptionEngine) callerIdentity() *authn.Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identity
}

// refuse applies, per operation, what the HTTP handler applies per request: a token
// that has expired since connection_init, a required identity, the rate limit and the
// supergraph's @authenticated / @requiresScopes.
func (s *subscriptionEngine) refuse(ctx context.Context, eng *Engine, req *graphql.Request, id *authn.Identity) *clientError {
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
	return eng.authz.check(req.Query, req.OperationName, id)
}

// errorResult is a GraphQL response carrying only errors.
func errorResult(errs ...clientError) []byte {
	return mustJSON(map[string]any{"errors": errs})
}

func (s *subscriptionEngine) run(ctx context.Context, eng *Engine, req *graphql.Request, opType graphql.OperationType, id string, op *runningOperation, events subscription.EventHandler, st *requestState) {
	defer func() {
		s.mu.Lock()
		if s.ops[id] == op {
			delete(s.ops, id)
		}
		s.mu.Unlock()
		op.cancel()
	}()

	if opType != graphql.OperationTypeSubscription {
		var out bytes.Buffer
		w := &eventWriter{}
		w.flush = func(data []byte) { out.Write(data) }
		if err := eng.exec.Execute(ctx, req, w, callerOptions(st)...); err != nil {
			events.Emit(subscription.EventTypeOnError, id, nil, err)
			return
		}
		_ = w.Flush()
		events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id, out.Bytes(), nil)
		return
	}

	w := &eventWriter{flush: func(data []byte) {
		events.Emit(subscription.EventTypeOnSubscriptionData, id, data, nil)
	}}
	// Execute blocks until upstream completes, ctx ends or the caller's token expires:
	// then the subscription ends with UNAUTHENTICATED and the client reconnects with a
	// fresh token (graphql-ws clients re-run connectionParams on reconnect).
	ctx, stop := untilTokenExpires(ctx, st)
	defer stop()
	err := eng.exec.Execute(ctx, req, w, callerOptions(st)...)
	if tokenExpired(ctx) {
		events.Emit(subscription.EventTypeOnNonSubscriptionExecutionResult, id, errorResult(unauthenticated(errTokenExpired)), nil)
		return
	}
	if err != nil {
		events.Emit(subscription.EventTypeOnError, id, nil, err)
		return
	}
	s.mu.Lock()
	stopped := op.stopped
	s.mu.Unlock()
	if !stopped && ctx.Err() == nil {
		events.Emit(subscription.EventTypeOnSubscriptionCompleted, id, nil, nil)
	}
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
