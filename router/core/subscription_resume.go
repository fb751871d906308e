package core

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/wundergraph/graphql-go-tools/execution/engine"
	"github.com/wundergraph/graphql-go-tools/execution/graphql"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// resubscriber keeps one client subscription going across upstream drops: when the
// subgraph serving it restarts (or a hot reload retires the engine), the router
// re-establishes the upstream subscription itself, with exponential backoff, for up to
// timeout, and the client's stream goes on. For a field named in subscriptions.resume
// the new upstream subscription starts after the last event the client got (its cursor
// passed as the resumption argument), and events at or before that cursor are dropped,
// so the client sees each one exactly once, in order.
type resubscriber struct {
	engines *EngineHolder
	timeout time.Duration
	share   bool // subscriptions.share_identical_upstream
	rules   []config.ResumeRule
	logger  *slog.Logger
	// fanout shares engine subscriptions to share_latest fields between identical client
	// subscriptions on the event loop (nil: off).
	fanout *subscriptionFanout
}

func newResubscriber(engines *EngineHolder, subs config.Subscriptions, logger *slog.Logger) *resubscriber {
	r := &resubscriber{engines: engines, timeout: subs.ResubscribeTimeout, share: subs.ShareIdenticalUpstream, logger: logger}
	if subs.ShareLatestFanout {
		r.fanout = newSubscriptionFanout(subs.ShareLatest)
	}
	for _, s := range subs.Resume {
		if rule, err := config.ParseResumeRule(s); err == nil {
			r.rules = append(r.rules, rule)
		}
	}
	return r
}

// subscriptionEnd is how a subscription ended.
type subscriptionEnd int

const (
	endCompleted subscriptionEnd = iota // upstream completed: the client gets complete
	endClient                           // the client left or its token expired
	endGone                             // the subgraph stayed away: SUBGRAPH_UNAVAILABLE sent
	endReloaded                         // the engine was retired and no new one took over
	endError                            // the engine refused the operation (err is set)
)

// run executes the subscription on eng (acquired by the caller, who releases it) and
// on whatever engine serves after a reload, calling next for every event.
func (r *resubscriber) run(ctx context.Context, eng *Engine, query, operationName string, variables json.RawMessage, st *requestState, next func([]byte)) (subscriptionEnd, error) {
	var (
		mu      sync.Mutex
		rule    *config.ResumeRule
		key     string
		cursor  any // last cursor delivered (nil: none yet)
		dropped bool
		// delivered counts the events of the current attempt: an attempt that got
		// events was re-established, and the next drop starts a fresh backoff.
		delivered int
	)
	rule, key = r.ruleFor(query, operationName)
	deliver := func(data []byte) {
		mu.Lock()
		defer mu.Unlock()
		if isUpstreamDrop(data) {
			dropped = true
			if r.logger != nil {
				withTrace(ctx, r.logger).Warn("upstream subscription connection failed", "operation", operationName, "error", string(data))
			}
			return
		}
		if rule != nil {
			if c, ok := cursorOf(data, key, rule.Cursor); ok {
				if cursor != nil && !after(c, cursor) {
					return // replayed: the client has it already
				}
				cursor = c
			}
		}
		delivered++
		next(data)
	}

	current := eng
	var held *Engine // an engine this run acquired after a reload (the caller holds eng)
	defer func() {
		if held != nil {
			held.release()
		}
	}()
	var b *backoff.ExponentialBackOff
	var gaveUpAt time.Time
	for {
		mu.Lock()
		q, vars := query, variables
		if rule != nil && cursor != nil {
			q = withArgument(query, operationName, rule, cursor)
		}
		dropped, delivered = false, 0
		mu.Unlock()

		req := &graphql.Request{Query: q, OperationName: operationName, Variables: vars}
		attemptStart := time.Now()
		w := &eventWriter{flush: deliver}
		// Every client subscription (and every resumed attempt, which replays from this
		// client's cursor) has an upstream subscription of its own unless
		// share_identical_upstream says otherwise: the engine shares one between identical
		// requests, and a client joining late would get only what comes after it joined —
		// no current status, no replay — where the subgraph starts each subscriber with
		// its own state.
		opts := ownUpstreamOptions(st)
		if r.share && q == query {
			opts = callerOptions(st)
		}
		err := current.exec.Execute(ctx, req, w, opts...)
		if ctx.Err() != nil {
			return endClient, nil
		}
		mu.Lock()
		wasDropped, gotEvents := dropped, delivered > 0
		mu.Unlock()
		if gotEvents {
			b = nil
		}
		retired := current.closed()
		if err != nil && !retired && !wasDropped {
			return endError, err
		}
		if !wasDropped && !retired && current.droppedSince(req, attemptStart) {
			// The engine ended the subscription quietly, but a subgraph serving it cut
			// its connection meanwhile: a drop, whether or not it is back already.
			wasDropped = true
		}
		if !wasDropped && !retired {
			// The engine ends a subscription the same way whether upstream completed it
			// or its connection died quietly: a subgraph that still accepts connections
			// completed it.
			if current.subgraphGoneResult(ctx, req) == nil {
				return endCompleted, nil
			}
		}
		if r.timeout <= 0 {
			if retired {
				return endReloaded, nil
			}
			next(current.upstreamDroppedResult(req))
			return endGone, nil
		}
		if b == nil {
			b = backoff.NewExponentialBackOff()
			b.InitialInterval = 50 * time.Millisecond
			b.MaxInterval = 2 * time.Second
			gaveUpAt = time.Now().Add(r.timeout)
		}
		// Wait, then pick the engine now serving (a reload may have replaced this one)
		// and try again once the subgraphs accept connections.
		for {
			wait := b.NextBackOff()
			if time.Now().Add(wait).After(gaveUpAt) {
				next(current.upstreamDroppedResult(req))
				return endGone, nil
			}
			select {
			case <-ctx.Done():
				return endClient, nil
			case <-time.After(wait):
			}
			if latest := r.engines.Load(); latest != nil && latest != current {
				// The caller releases the engine it acquired; this run holds the one
				// it moved to.
				latest.acquire()
				if held != nil {
					held.release()
				}
				held, current = latest, latest
			}
			if current.closed() {
				continue
			}
			if current.subgraphGoneResult(ctx, req) == nil {
				break
			}
		}
		if r.logger != nil {
			withTrace(ctx, r.logger).Info("re-establishing upstream subscription", "operation", operationName, "resume_after", cursor)
		}
	}
}

// ruleFor returns the resume rule for the operation's root field and the field's
// response key, or nil.
func (r *resubscriber) ruleFor(query, operationName string) (*config.ResumeRule, string) {
	if len(r.rules) == 0 {
		return nil, ""
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil, ""
	}
	op := pickOperation(doc, operationName)
	if op == nil || op.Operation != ast.Subscription {
		return nil, ""
	}
	for _, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		for i := range r.rules {
			if r.rules[i].Field == f.Name {
				key := f.Alias
				if key == "" {
					key = f.Name
				}
				return &r.rules[i], key
			}
		}
	}
	return nil, ""
}

// cursorOf reads data.<key>.<path> from one event.
func cursorOf(event []byte, key string, path []string) (any, bool) {
	var res struct {
		Data map[string]any `json:"data"`
	}
	if json.Unmarshal(event, &res) != nil {
		return nil, false
	}
	var v any = res.Data[key]
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		v = m[p]
	}
	switch v.(type) {
	case float64, string:
		return v, true
	}
	return nil, false
}

// after reports whether cursor c comes after prev (numbers by value, strings by text).
func after(c, prev any) bool {
	switch c := c.(type) {
	case float64:
		p, ok := prev.(float64)
		return !ok || c > p
	case string:
		p, ok := prev.(string)
		return !ok || c > p
	}
	return true
}

// withArgument returns the query with the rule's argument on its root field set to the
// cursor (replacing any value the client gave).
func withArgument(query, operationName string, rule *config.ResumeRule, cursor any) string {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return query
	}
	op := pickOperation(doc, operationName)
	if op == nil {
		return query
	}
	value := &ast.Value{}
	switch c := cursor.(type) {
	case float64:
		value.Kind, value.Raw = ast.IntValue, strconv.FormatInt(int64(c), 10)
	case string:
		value.Kind, value.Raw = ast.StringValue, c
	}
	for _, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok || f.Name != rule.Field {
			continue
		}
		replaced := false
		for _, a := range f.Arguments {
			if a.Name == rule.Argument {
				a.Value, replaced = value, true
			}
		}
		if !replaced {
			f.Arguments = append(f.Arguments, &ast.Argument{Name: rule.Argument, Value: value})
		}
	}
	var buf strings.Builder
	formatter.NewFormatter(&buf).FormatQueryDocument(doc)
	return buf.String()
}

var upstreamCounter atomic.Uint64

// ownUpstreamOptions is callerOptions with an upstream key no other subscription has.
func ownUpstreamOptions(st *requestState) []engine.ExecutionOptions {
	key := "anonymous"
	if st != nil {
		key = st.upstreamKey()
	}
	key += "|sub-" + strconv.FormatUint(upstreamCounter.Add(1), 10)
	return []engine.ExecutionOptions{engine.WithAdditionalHttpHeaders(http.Header{upstreamKeyHeader: {key}})}
}

// upstreamDrops remembers, per subgraph address (host:port), when a subgraph last ended
// an upstream subscription connection.
type upstreamDrops struct{ last sync.Map }

func (d *upstreamDrops) record(addr string) { d.last.Store(addr, time.Now()) }

// droppedSince reports whether a subgraph serving the subscription ended an upstream
// connection at or after since.
func (e *Engine) droppedSince(req *graphql.Request, since time.Time) bool {
	if e.drops == nil {
		return false
	}
	for _, sg := range e.subscriptionSubgraphs(req) {
		u, err := url.Parse(sg.url)
		if err != nil {
			continue
		}
		if at, ok := e.drops.last.Load(u.Host); ok && !at.(time.Time).Before(since) {
			return true
		}
	}
	return false
}
