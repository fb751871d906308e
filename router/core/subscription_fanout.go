package core

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/wundergraph/graphql-go-tools/execution/graphql"
	"github.com/wundergraph/graphql-go-tools/execution/subscription"
)

// subscriptionFanout lets identical client subscriptions to share_latest fields share
// one engine subscription (subscriptions.share_latest_fanout, the WebSocket event loop's
// connections).
//
// Without it every client subscription is an engine subscription of its own: the
// resolver renders every event once per subscriber on that subscription's worker
// (~57 µs of router CPU per delivered event), so 5,000 browsers watching one order's
// deliveryTracking cost 5,000 renders of the same bytes per event. Here the first
// client subscription starts one engine subscription (an asyncSubscription, with all of
// its resubscribe, reload and token-expiry handling) whose events go to a hub; each
// event's payload is rendered once and handed to every attached client, which frames it
// with its own subscription id (graphql-transport-ws `next`, graphql-ws `data`) and
// queues it on its socket (the event loop's bounded send queue: a slow client is closed
// with 1008 and holds up nobody).
//
// Only fields named in subscriptions.share_latest share: each of their events is the
// whole current state, so a client that joins late is handed the latest event at once
// and has missed nothing a subscription of its own would have shown it.
//
// Two client subscriptions share only when everything that reaches the subgraph on the
// caller's behalf is the same: the engine (a reload is a new one), the operation text and
// name, the variables, the raw token (the same token is the same identity with the same
// expiry), the identity, the client address and the forwarded client headers — the
// inputs of the inbound query deduplication (dedupKey) plus the token. Two users never
// share.
//
// What ends the engine subscription (complete, an error, SUBGRAPH_UNAVAILABLE,
// SUPERGRAPH_RELOADED, UNAUTHENTICATED at the token's expiry) reaches every attached
// client. A client that stops or goes away detaches only itself; the last one to detach
// cancels the engine subscription.
type subscriptionFanout struct {
	fields map[string]bool

	mu   sync.Mutex
	hubs map[string]*fanoutHub

	// sharing caches, per operation name and text, whether the operation shares.
	sharingMu sync.Mutex
	sharing   map[string]bool
}

// maxFanoutSharingCache bounds the remembered operations; past it an operation is
// parsed again for each subscriber.
const maxFanoutSharingCache = 4096

func newSubscriptionFanout(fields []string) *subscriptionFanout {
	if len(fields) == 0 {
		return nil
	}
	f := &subscriptionFanout{fields: map[string]bool{}, hubs: map[string]*fanoutHub{}, sharing: map[string]bool{}}
	for _, name := range fields {
		f.fields[name] = true
	}
	return f
}

// shares reports whether the operation selects only share_latest fields at its root.
func (f *subscriptionFanout) shares(query, operationName string) bool {
	key := operationName + "\x00" + query
	f.sharingMu.Lock()
	v, ok := f.sharing[key]
	f.sharingMu.Unlock()
	if ok {
		return v
	}
	shared := false
	if doc, err := parser.ParseQuery(&ast.Source{Input: query}); err == nil {
		if op := pickOperation(doc, operationName); op != nil && op.Operation == ast.Subscription && len(op.SelectionSet) > 0 {
			shared = true
			for _, sel := range op.SelectionSet {
				if field, ok := sel.(*ast.Field); !ok || !f.fields[field.Name] {
					shared = false
				}
			}
		}
	}
	f.sharingMu.Lock()
	if len(f.sharing) < maxFanoutSharingCache {
		f.sharing[key] = shared
	}
	f.sharingMu.Unlock()
	return shared
}

// fanoutKey is the identity of a shared engine subscription (see subscriptionFanout).
func fanoutKey(eng *Engine, req *graphql.Request, token string, st *requestState) string {
	var b strings.Builder
	b.WriteString(dedupKey(eng, req.OperationName, req.Query, req.Variables, st))
	b.WriteString("\x00token:")
	b.WriteString(token)
	return b.String()
}

// fanoutHub is one shared engine subscription and the client subscriptions attached to
// it. It is the engine subscription's subscription.EventHandler.
type fanoutHub struct {
	f       *subscriptionFanout
	metrics *Metrics
	key     string
	cancel  context.CancelFunc // ends the engine subscription

	// mu guards the fields below; it is never held while an event is handed to a client,
	// so a joiner never waits for a broadcast to finish.
	mu      sync.Mutex
	members map[*fanoutMember]struct{}
	list    []*fanoutMember // members as a slice, rebuilt when nil
	last    []byte          // the latest event, handed to joiners
	closed  bool            // ended or abandoned: nobody joins any more
}

// fanoutMember is one client subscription attached to a hub.
type fanoutMember struct {
	hub    *fanoutHub
	s      *subscriptionEngine
	id     string
	op     *runningOperation
	events subscription.EventHandler
	eng    *Engine // acquired by the pipeline, released when the member ends
	done   func()  // metrics and span
	// spanCtx carries the client subscription's span (span); events are recorded on it
	// while it records.
	spanCtx context.Context
	span    *operationSpan
	record  bool

	// mu orders what the client is handed: its replay before any broadcast event, and
	// nothing after it ended.
	mu        sync.Mutex
	ended     bool
	stopWatch func() bool
}

// attach runs a client subscription on the shared engine subscription for its key,
// starting one when there is none.
func (f *subscriptionFanout) attach(s *subscriptionEngine, ctx context.Context, eng *Engine, req *graphql.Request, opName, id string, op *runningOperation, events subscription.EventHandler, st *requestState) {
	endMetric := s.metrics.subscriptionStarted(s.transport)
	s.metrics.observeOperation(opName, "subscription", 0, "")
	spanCtx, span := startOperationSpan(ctx, s.traceParent, s.transport, "subscription", req.OperationName)
	m := &fanoutMember{s: s, id: id, op: op, events: events, eng: eng, spanCtx: spanCtx, span: span, record: span.span.IsRecording()}
	m.done = func() {
		endMetric()
		span.end(spanCtx)
	}
	key := fanoutKey(eng, req, s.callerToken(), st)

	f.mu.Lock()
	h := f.hubs[key]
	var a *asyncSubscription
	if h == nil {
		// The engine subscription outlives its first client if others joined: it has a
		// context of its own (carrying the first client's request state, the same as the
		// others' by the key), cancelled when the last client detaches.
		// Its upstream work is traced under this client's span; the events each client
		// gets are recorded on its own (the span here is not the hub's to count on).
		hubCtx, cancel := context.WithCancel(context.WithValue(context.WithoutCancel(spanCtx), operationSpanKey{}, (*operationSpan)(nil)))
		h = &fanoutHub{f: f, metrics: s.metrics, key: key, cancel: cancel, members: map[*fanoutMember]struct{}{}}
		f.hubs[key] = h
		a = s.newAsync(hubCtx, eng.acquire(), req, "", &runningOperation{cancel: cancel}, h, st, func() {})
	}
	m.hub = h
	// Hand over hand: the hub cannot be abandoned between finding it and joining it. The
	// member is held until its replay is handed over: a broadcast that already counts it
	// waits for that, one that does not is what the replay carries.
	h.mu.Lock()
	f.mu.Unlock()
	m.mu.Lock()
	h.members[m], h.list = struct{}{}, nil
	replay := h.last
	h.mu.Unlock()
	if replay != nil {
		events.Emit(subscription.EventTypeOnSubscriptionData, id, replay, nil)
	}
	// The callback runs on a goroutine of its own.
	m.stopWatch = context.AfterFunc(ctx, m.leave)
	m.mu.Unlock()
	if a != nil {
		a.start()
	}
}

// Emit is subscription.EventHandler: what the engine subscription delivers, for every
// attached client.
func (h *fanoutHub) Emit(eventType subscription.EventType, _ string, data []byte, err error) {
	if eventType == subscription.EventTypeOnSubscriptionData {
		h.broadcast(data)
		return
	}
	h.end(eventType, data, err)
}

// fanoutChunk is how many clients one goroutine hands an event to; a hub with more
// spreads the work over the processors (the event reaches the last client sooner).
const fanoutChunk = 512

// broadcast hands an event to every attached client and keeps it for those joining
// later. The engine's worker calls it one event at a time and it returns once every
// client has the event queued, so each client gets the events in order.
func (h *fanoutHub) broadcast(data []byte) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.last = data
	if h.list == nil {
		h.list = make([]*fanoutMember, 0, len(h.members))
		for m := range h.members {
			h.list = append(h.list, m)
		}
	}
	list := h.list
	h.mu.Unlock()
	start := time.Now()
	defer func() { h.metrics.fanoutDone(time.Since(start)) }()
	workers := min(runtime.GOMAXPROCS(0), (len(list)+fanoutChunk-1)/fanoutChunk)
	if workers <= 1 {
		for _, m := range list {
			m.deliver(data)
		}
		return
	}
	var wg sync.WaitGroup
	per := (len(list) + workers - 1) / workers
	for from := 0; from < len(list); from += per {
		part := list[from:min(from+per, len(list))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range part {
				m.deliver(data)
			}
		}()
	}
	wg.Wait()
}

func (m *fanoutMember) deliver(data []byte) {
	m.mu.Lock()
	if !m.ended {
		if m.record {
			m.span.sent()
		}
		m.events.Emit(subscription.EventTypeOnSubscriptionData, m.id, data, nil)
	}
	m.mu.Unlock()
}

// end is the engine subscription's last word (complete, an error or a final result):
// every attached client gets it and ends. Nobody joins the hub from here on: a client
// subscribing again starts a new one.
func (h *fanoutHub) end(eventType subscription.EventType, data []byte, err error) {
	h.f.mu.Lock()
	if h.f.hubs[h.key] == h {
		delete(h.f.hubs, h.key)
	}
	h.mu.Lock()
	h.closed = true
	members := h.members
	h.members, h.list = map[*fanoutMember]struct{}{}, nil
	h.mu.Unlock()
	h.f.mu.Unlock()
	for m := range members {
		m.finish(func() { m.events.Emit(eventType, m.id, data, err) })
	}
}

// leave detaches a client whose operation ended (it stopped, or its connection went);
// the last one to leave ends the engine subscription.
func (m *fanoutMember) leave() {
	h, f := m.hub, m.hub.f
	f.mu.Lock()
	h.mu.Lock()
	_, attached := h.members[m]
	delete(h.members, m)
	h.list = nil
	last := attached && len(h.members) == 0 && !h.closed
	if last {
		h.closed = true
		if f.hubs[h.key] == h {
			delete(f.hubs, h.key)
		}
	}
	h.mu.Unlock()
	f.mu.Unlock()
	if attached {
		m.finish(nil)
	}
	if last {
		h.cancel()
	}
}

// finish ends the client subscription: tell (unless the client stopped it), then forget
// the operation and release what it held, as asyncSubscription.finish does.
func (m *fanoutMember) finish(tell func()) {
	m.mu.Lock()
	if m.ended {
		m.mu.Unlock()
		return
	}
	m.ended = true
	stopWatch := m.stopWatch
	s := m.s
	s.mu.Lock()
	stopped := m.op.stopped
	s.mu.Unlock()
	if tell != nil && !stopped {
		tell()
	}
	m.mu.Unlock()
	if stopWatch != nil {
		stopWatch()
	}
	s.forget(m.id, m.op)
	m.eng.release()
	m.done()
}
