package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/execution/graphql"
	"github.com/wundergraph/graphql-go-tools/execution/subscription"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astnormalization"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/postprocess"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/operationreport"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/variablesvalidation"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Subscriptions without a waiting goroutine (the WebSocket event loop's).
//
// The engine's Execute blocks its caller for a subscription's whole life: on the event
// loop that was one goroutine per subscriber (~10 KiB of stack) parked in
// resolve.Resolver.ResolveGraphQLSubscription, besides the resolver's own worker per
// subscription. Here a subscription is planned the way Execute plans it (normalise,
// validate, extract variables, validate them, plan, post-process; the plan remembered per
// operation text and variables shape, as Execute's plan cache does) and handed to
// Resolver.AsyncResolveGraphQLSubscription, which returns at once: what Execute's return
// told the blocking path (upstream completed, the connection dropped, the engine
// retired, the client left) arrives as the writer's Complete or Close, and the same
// decisions as resubscriber.run follow from there (resume from the cursor with backoff,
// move to the engine a reload swapped in, SUBGRAPH_UNAVAILABLE, SUPERGRAPH_RELOADED,
// UNAUTHENTICATED when the token expires, complete). Waiting between attempts is a
// timer, not a goroutine.
//
// What is still per subscriber: the resolver's worker goroutine (graphql-go-tools rc.231
// starts one for every subscription, async or not: `go s.startWorker()` in
// handleAddSubscription), this struct and the resolve context.

// subscriptionPlans remembers planned subscriptions per operation text, name and
// variables shape, on one engine. The zero value is ready to use.
type subscriptionPlans struct {
	mu    sync.Mutex
	plans map[string]*subscriptionPlan
}

// maxSubscriptionPlans bounds one engine's remembered subscription plans; past it an
// operation is planned for each subscriber.
const maxSubscriptionPlans = 4096

type subscriptionPlan struct {
	sub       *resolve.GraphQLSubscription
	operation *ast.Document // the normalised operation variables are validated against
	extracted []byte        // see preparedPlan.extracted
}

// plan returns the subscription plan for req and the request's final variables.
func (sp *subscriptionPlans) plan(pp *preparedPlans, req *graphql.Request) (*resolve.GraphQLSubscription, []byte, error) {
	key := req.OperationName + "\x00" + variablesShape(req.Variables) + "\x00" + req.Query
	sp.mu.Lock()
	p := sp.plans[key]
	sp.mu.Unlock()
	if p != nil {
		variables := (&preparedPlan{extracted: p.extracted}).variables(req.Variables)
		if len(variables) > 0 && variables[0] == '{' {
			validator := variablesvalidation.NewVariablesValidator(variablesvalidation.VariablesValidatorOptions{})
			if err := validator.Validate(p.operation, pp.schema.Document(), variables); err != nil {
				return nil, nil, err
			}
		}
		return p.sub, variables, nil
	}
	given := req.Variables
	p, variables, err := planSubscription(pp, req)
	if err != nil {
		return nil, nil, err
	}
	if extracted, reusable := extractedVariables(given, variables); reusable {
		p.extracted = extracted
		sp.mu.Lock()
		if sp.plans == nil {
			sp.plans = map[string]*subscriptionPlan{}
		}
		if len(sp.plans) < maxSubscriptionPlans {
			sp.plans[key] = p
		}
		sp.mu.Unlock()
	}
	return p.sub, variables, nil
}

// planSubscription does what Execute does before resolving, in its order.
func planSubscription(pp *preparedPlans, req *graphql.Request) (*subscriptionPlan, []byte, error) {
	result, err := req.Normalize(pp.schema,
		astnormalization.WithRemoveFragmentDefinitions(),
		astnormalization.WithRemoveUnusedVariables(),
		astnormalization.WithInlineFragmentSpreads(),
	)
	if err != nil {
		return nil, nil, err
	} else if !result.Successful {
		return nil, nil, result.Errors
	}
	if res, err := req.ValidateForSchema(pp.schema); err != nil {
		return nil, nil, err
	} else if !res.Valid {
		return nil, nil, res.Errors
	}
	if result, err := req.Normalize(pp.schema, astnormalization.WithExtractVariables()); err != nil {
		return nil, nil, err
	} else if !result.Successful {
		return nil, nil, result.Errors
	}
	variables := req.Variables
	if len(variables) > 0 && variables[0] == '{' {
		validator := variablesvalidation.NewVariablesValidator(variablesvalidation.VariablesValidatorOptions{})
		if err := validator.Validate(req.Document(), pp.schema.Document(), variables); err != nil {
			return nil, nil, err
		}
	}
	planner, err := plan.NewPlanner(pp.planner)
	if err != nil {
		return nil, nil, err
	}
	var report operationreport.Report
	planned := planner.Plan(req.Document(), pp.schema.Document(), req.OperationName, &report)
	if report.HasErrors() {
		return nil, nil, report
	}
	sub, ok := postprocess.NewProcessor().Process(planned).(*plan.SubscriptionResponsePlan)
	if !ok {
		return nil, nil, errors.New("execution of operation is not possible")
	}
	return &subscriptionPlan{sub: sub.Response, operation: req.Document()}, variables, nil
}

// asyncSubscription is one client subscription run without a waiting goroutine.
type asyncSubscription struct {
	s       *subscriptionEngine
	r       *resubscriber
	ctx     context.Context // the operation's, ending when its token expires
	stopCtx context.CancelFunc
	id      string
	op      *runningOperation
	events  subscription.EventHandler
	st      *requestState
	eng     *Engine // acquired by the pipeline, released at the end
	query   string
	opName  string
	vars    json.RawMessage
	send    func([]byte)
	done    func() // metrics and span

	rule *config.ResumeRule
	key  string

	mu        sync.Mutex
	current   *Engine
	held      *Engine // an engine acquired after a reload
	cursor    any
	dropped   bool
	delivered int
	attempt   int // counts attempts: a writer of an earlier one is ignored
	live      bool
	resolver  *resolve.Resolver
	subID     resolve.SubscriptionIdentifier
	// engineDone ends the attempt's count in router_engine_subscriptions.
	engineDone func()
	q          string // the current attempt's query (with the resume cursor)
	started    time.Time
	b          *backoff.ExponentialBackOff
	gaveUpAt   time.Time
	finished   bool
	stopWatch  func() bool
}

// startAsync runs a subscription that passed the pipeline (false: the engine cannot be
// driven this way, the caller runs it as before). A subscription to share_latest fields
// joins the identical ones already running (subscription_fanout.go).
func (s *subscriptionEngine) startAsync(ctx context.Context, eng *Engine, req *graphql.Request, opName, id string, op *runningOperation, events subscription.EventHandler, st *requestState) bool {
	if eng.prepared == nil {
		return false
	}
	if f := s.resubscribe.fanout; f != nil && f.shares(req.Query, req.OperationName) {
		f.attach(s, ctx, eng, req, opName, id, op, events, st)
		return true
	}
	endMetric := s.metrics.subscriptionStarted(s.transport)
	ctx, span := startOperationSpan(ctx, s.traceParent, s.transport, "subscription", req.OperationName)
	s.metrics.observeOperation(opName, "subscription", 0, "")
	spanCtx := ctx
	s.newAsync(ctx, eng, req, id, op, events, st, func() {
		endMetric()
		span.end(spanCtx)
	}).start()
	return true
}

// newAsync is one engine subscription for req, telling events (as id) what it delivers
// and how it ends; done runs once it has ended.
func (s *subscriptionEngine) newAsync(ctx context.Context, eng *Engine, req *graphql.Request, id string, op *runningOperation, events subscription.EventHandler, st *requestState, done func()) *asyncSubscription {
	a := &asyncSubscription{s: s, r: s.resubscribe, id: id, op: op, events: events, st: st, eng: eng,
		query: req.Query, opName: req.OperationName, vars: req.Variables, current: eng, done: done}
	// The operation's context ends when the client stops it; a token with an expiry
	// ends it then too (without one, no context of its own is needed).
	a.ctx, a.stopCtx = ctx, func() {}
	if st != nil && st.identity != nil && !st.identity.ExpiresAt.IsZero() {
		a.ctx, a.stopCtx = untilTokenExpires(ctx, st)
	}
	query, operationName := req.Query, req.OperationName
	a.send = func(data []byte) {
		data, _ = annotateSubgraphErrors(eng.hidden.hideOutput(query, operationName, data), st)
		sentEvent(a.ctx)
		events.Emit(subscription.EventTypeOnSubscriptionData, id, data, nil)
	}
	a.rule, a.key = a.r.ruleFor(req.Query, req.OperationName)
	return a
}

// start watches the operation's context and starts the first attempt.
func (a *asyncSubscription) start() {
	a.mu.Lock()
	a.stopWatch = context.AfterFunc(a.ctx, a.onContextDone)
	a.mu.Unlock()
	a.next()
}

// deliver is resubscriber.run's: drops noted, replays skipped, the cursor kept.
func (a *asyncSubscription) deliver(attempt int, data []byte) {
	a.mu.Lock()
	if attempt != a.attempt || a.finished {
		a.mu.Unlock()
		return
	}
	if isUpstreamDrop(data) {
		a.dropped = true
		a.mu.Unlock()
		if a.r.logger != nil {
			withTrace(a.ctx, a.r.logger).Warn("upstream subscription connection failed", "operation", a.opName, "error", string(data))
		}
		return
	}
	if a.rule != nil {
		if c, ok := cursorOf(data, a.key, a.rule.Cursor); ok {
			if a.cursor != nil && !after(c, a.cursor) {
				a.mu.Unlock()
				return
			}
			a.cursor = c
		}
	}
	a.delivered++
	a.mu.Unlock()
	a.send(data)
}

// next starts an attempt on the current engine.
func (a *asyncSubscription) next() {
	a.mu.Lock()
	if a.finished {
		a.mu.Unlock()
		return
	}
	q := a.query
	if a.rule != nil && a.cursor != nil {
		q = withArgument(a.query, a.opName, a.rule, a.cursor)
	}
	a.attempt++
	attempt := a.attempt
	a.dropped, a.delivered = false, 0
	current := a.current
	a.q = q
	// Kept only for this call: a graphql.Request holds a whole ast.Document.
	req := &graphql.Request{Query: q, OperationName: a.opName, Variables: a.vars}
	a.started = time.Now()
	a.live = true
	a.mu.Unlock()

	pp := current.prepared
	if pp == nil {
		a.finish(endError, errors.New("the engine cannot run subscriptions without blocking"))
		return
	}
	sub, variables, err := current.subscriptions.plan(pp, req)
	if err != nil {
		a.ended(attempt, err)
		return
	}
	rc := resolve.NewContext(a.ctx)
	if len(variables) != 0 {
		if rc.Variables, err = astjson.ParseBytes(variables); err != nil {
			a.ended(attempt, err)
			return
		}
	}
	header := callerHeader(a.st)
	if !a.r.share || q != a.query {
		header = ownUpstreamHeader(a.st)
	}
	rc.Request = resolve.Request{Header: header}
	subID := resolve.SubscriptionIdentifier{ConnectionID: resolve.ConnectionIDs.Inc()}
	a.mu.Lock()
	a.resolver, a.subID = pp.resolver, subID
	a.engineDone = a.s.metrics.engineSubscriptionStarted()
	a.mu.Unlock()
	w := &asyncWriter{a: a, attempt: attempt}
	if err := pp.resolver.AsyncResolveGraphQLSubscription(rc, sub, w, subID); err != nil {
		// Not added: the resolver shut down (a retired engine) or the client left.
		a.ended(attempt, nil)
	}
}

// ended is an attempt's end: Complete or Close from the resolver (err nil), or an error
// before it started. What follows may dial subgraphs: never on the resolver's goroutine.
func (a *asyncSubscription) ended(attempt int, err error) {
	a.mu.Lock()
	if attempt != a.attempt || !a.live || a.finished {
		a.mu.Unlock()
		return
	}
	a.live = false
	resolver, subID := a.resolver, a.subID
	a.resolver = nil
	engineDone := a.engineDone
	a.engineDone = nil
	a.mu.Unlock()
	if engineDone != nil {
		engineDone()
	}
	if resolver != nil {
		// The resolver keeps a subscription whose context ended until told.
		_ = resolver.AsyncUnsubscribeSubscription(subID)
	}
	go a.afterAttempt(err)
}

// afterAttempt is resubscriber.run's loop body after Execute returned.
func (a *asyncSubscription) afterAttempt(err error) {
	if a.ctx.Err() != nil {
		a.finish(endClient, nil)
		return
	}
	a.mu.Lock()
	wasDropped, gotEvents := a.dropped, a.delivered > 0
	current, req, started := a.current, a.request(), a.started
	if gotEvents {
		a.b = nil
	}
	a.mu.Unlock()
	retired := current.closed()
	if err != nil && !retired && !wasDropped {
		a.finish(endError, err)
		return
	}
	if !wasDropped && !retired && current.droppedSince(req, started) {
		wasDropped = true
	}
	if !wasDropped && !retired {
		if current.subgraphGoneResult(a.ctx, req) == nil {
			a.finish(endCompleted, nil)
			return
		}
	}
	if a.r.timeout <= 0 {
		if retired {
			a.finish(endReloaded, nil)
			return
		}
		a.deliverFinal(current.upstreamDroppedResult(req))
		a.finish(endGone, nil)
		return
	}
	a.mu.Lock()
	if a.b == nil {
		a.b = backoff.NewExponentialBackOff()
		a.b.InitialInterval = 50 * time.Millisecond
		a.b.MaxInterval = 2 * time.Second
		a.gaveUpAt = time.Now().Add(a.r.timeout)
	}
	a.mu.Unlock()
	a.wait()
}

// wait schedules the next look at the subgraphs (a timer, no goroutine meanwhile).
func (a *asyncSubscription) wait() {
	a.mu.Lock()
	wait := a.b.NextBackOff()
	gaveUp := time.Now().Add(wait).After(a.gaveUpAt)
	current, req := a.current, a.request()
	a.mu.Unlock()
	if gaveUp {
		a.deliverFinal(current.upstreamDroppedResult(req))
		a.finish(endGone, nil)
		return
	}
	time.AfterFunc(wait, a.retry)
}

// retry picks the engine now serving and tries again once the subgraphs accept
// connections.
func (a *asyncSubscription) retry() {
	if a.ctx.Err() != nil {
		a.finish(endClient, nil)
		return
	}
	a.mu.Lock()
	if latest := a.r.engines.Load(); latest != nil && latest != a.current {
		latest.acquire()
		if a.held != nil {
			a.held.release()
		}
		a.held, a.current = latest, latest
	}
	current, req, cursor := a.current, a.request(), a.cursor
	a.mu.Unlock()
	if current.closed() || current.subgraphGoneResult(a.ctx, req) != nil {
		a.wait()
		return
	}
	if a.r.logger != nil {
		withTrace(a.ctx, a.r.logger).Info("re-establishing upstream subscription", "operation", a.opName, "resume_after", cursor)
	}
	a.next()
}

// request is the current attempt's operation, for the subgraph checks (a.mu held).
func (a *asyncSubscription) request() *graphql.Request {
	return &graphql.Request{Query: a.q, OperationName: a.opName}
}

// deliverFinal sends a result ending the subscription (nil: nothing).
func (a *asyncSubscription) deliverFinal(data []byte) {
	if data != nil {
		a.send(data)
	}
}

// onContextDone: the client stopped, the connection went or the token expired. A live
// attempt hears it from the resolver (Close); one waiting between attempts ends here.
func (a *asyncSubscription) onContextDone() {
	a.mu.Lock()
	live := a.live
	a.mu.Unlock()
	if !live {
		a.finish(endClient, nil)
	}
}

// finish is the end of resubscriber.run and subscriptionEngine.run: the client told,
// the operation forgotten, the engines released.
func (a *asyncSubscription) finish(end subscriptionEnd, err error) {
	a.mu.Lock()
	if a.finished {
		a.mu.Unlock()
		return
	}
	a.finished = true
	held := a.held
	a.held = nil
	stopWatch := a.stopWatch
	a.mu.Unlock()
	if stopWatch != nil {
		stopWatch()
	}
	a.s.tellEnd(a.ctx, a.events, a.id, a.op, a.opName, end, err)
	a.s.forget(a.id, a.op)
	a.stopCtx()
	if held != nil {
		held.release()
	}
	a.eng.release()
	a.done()
}

// asyncWriter is one attempt's resolve.SubscriptionResponseWriter. The resolver calls it
// from the subscription's worker, one call at a time; the event buffer is pooled between
// events rather than kept per subscriber.
type asyncWriter struct {
	a       *asyncSubscription
	attempt int
	buf     *bytes.Buffer
}

var eventBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (w *asyncWriter) Write(p []byte) (int, error) {
	if w.buf == nil {
		w.buf = eventBuffers.Get().(*bytes.Buffer)
	}
	return w.buf.Write(p)
}

func (w *asyncWriter) Flush() error {
	if w.buf == nil {
		return nil
	}
	buf := w.buf
	w.buf = nil
	if buf.Len() > 0 {
		w.a.deliver(w.attempt, bytes.Clone(buf.Bytes()))
	}
	buf.Reset()
	if buf.Cap() <= 64<<10 {
		eventBuffers.Put(buf)
	}
	return nil
}

func (w *asyncWriter) Complete()                             { w.a.ended(w.attempt, nil) }
func (w *asyncWriter) Close(_ resolve.SubscriptionCloseKind) { w.a.ended(w.attempt, nil) }
func (w *asyncWriter) Heartbeat() error                      { return nil }

var _ resolve.SubscriptionResponseWriter = (*asyncWriter)(nil)

// ownUpstreamHeader is ownUpstreamOptions for a resolve context.
func ownUpstreamHeader(st *requestState) http.Header {
	key := "anonymous"
	if st != nil {
		key = st.upstreamKey()
	}
	key += "|sub-" + strconv.FormatUint(upstreamCounter.Add(1), 10)
	return http.Header{upstreamKeyHeader: {key}}
}
