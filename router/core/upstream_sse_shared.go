package core

import (
	"context"
	"net/http"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/graphql_datasource"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// sharedStreams lets identical subscriptions of one caller share one upstream SSE
// stream, for the fields named in subscriptions.share_latest: fields each of whose
// events is the whole current state (deliveryTracking: where the courier is, the status,
// the ETA). A subscriber that joins an open stream gets its latest event at once, then
// every event after it, so it sees what a stream of its own would have shown it.
//
// Why not the engine's trigger sharing (subscriptions.share_identical_upstream): a late
// joiner of a shared trigger gets nothing until the next event, never the state its
// subgraph starts each subscriber with, and the engine offers no way to hand it one.
// Why every subscription otherwise has an upstream stream of its own: the router gives
// each one a unique upstream key (ownUpstreamOptions) for that reason; no per-request
// header (traceparent, the signed token) was involved — those are added by the transport
// and never reach the engine's key.
//
// The key is the stream's URL, body (operation and variables) and the caller's upstream
// key (requestState.upstreamKey: the identity — user and roles — and every forwarded
// client header), so two users never share a stream, nor one user under two sets of
// forwarded headers. The stream is opened with the first subscriber's request context:
// its signed token, client address and trace; it ends when its last subscriber leaves.
type sharedStreams struct {
	fields map[string]bool

	mu      sync.Mutex
	streams map[uint64]*sharedStream

	// sharing caches, per upstream query text, whether its field shares.
	sharing sync.Map // string -> bool
}

type sharedStream struct {
	key    uint64
	cancel context.CancelFunc

	// mu guards the fields below; it is held only to change them, never while an event
	// is handed to the engine (which may wait), so a joiner never waits for a broadcast.
	mu     sync.Mutex
	subs   map[*sharedSubscriber]struct{}
	list   []*sharedSubscriber // subs as a slice, rebuilt when nil
	last   []byte
	closed bool
}

type sharedSubscriber struct {
	// mu orders what this subscriber is handed: its replay before any broadcast event.
	mu      sync.Mutex
	updater resolve.SubscriptionUpdater
	stop    func() bool // stops watching the subscriber's context
}

func newSharedStreams(fields []string) *sharedStreams {
	if len(fields) == 0 {
		return nil
	}
	s := &sharedStreams{fields: map[string]bool{}, streams: map[uint64]*sharedStream{}}
	for _, f := range fields {
		s.fields[f] = true
	}
	return s
}

// keyFor is the sharing key of a subscription, false when it is not shared (its field is
// not named, or nothing says who the caller is).
func (s *sharedStreams) keyFor(ctx context.Context, options graphql_datasource.GraphQLSubscriptionOptions, body []byte) (uint64, bool) {
	if s == nil || !s.shares(options.Body.Query) {
		return 0, false
	}
	st := requestStateFrom(ctx)
	if st == nil {
		return 0, false
	}
	h := xxhash.New()
	_, _ = h.WriteString(options.URL)
	_, _ = h.WriteString("\x00")
	_, _ = h.Write(body)
	_, _ = h.WriteString("\x00")
	_ = options.Header.Write(h)
	_, _ = h.WriteString("\x00")
	_, _ = h.WriteString(st.upstreamKey())
	return h.Sum64(), true
}

// shares reports whether the upstream subscription query selects only shared fields.
func (s *sharedStreams) shares(query string) bool {
	if v, ok := s.sharing.Load(query); ok {
		return v.(bool)
	}
	shared := false
	if doc, err := parser.ParseQuery(&ast.Source{Input: query}); err == nil && len(doc.Operations) == 1 {
		op := doc.Operations[0]
		shared = op.Operation == ast.Subscription && len(op.SelectionSet) > 0
		for _, sel := range op.SelectionSet {
			f, ok := sel.(*ast.Field)
			if !ok || !s.fields[f.Name] {
				shared = false
			}
		}
	}
	s.sharing.Store(query, shared)
	return shared
}

// join adds a subscriber to the stream with key, opening it (with newReq's request, read
// by run) when there is none. A subscriber joining an open stream gets its latest event.
func (s *sharedStreams) join(ctx context.Context, key uint64, updater resolve.SubscriptionUpdater,
	newReq func(context.Context) (*http.Request, error),
	run func(context.Context, *http.Request, func([]byte)) []byte,
) error {
	sub := &sharedSubscriber{updater: updater}
	s.mu.Lock()
	st, open := s.streams[key]
	var req *http.Request
	if !open {
		// The stream outlives its first subscriber if others joined: it has a context of
		// its own (carrying the first subscriber's request state), cancelled when the
		// last subscriber leaves.
		streamCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		var err error
		if req, err = newReq(streamCtx); err != nil {
			s.mu.Unlock()
			cancel()
			return err
		}
		st = &sharedStream{key: key, cancel: cancel, subs: map[*sharedSubscriber]struct{}{}}
		s.streams[key] = st
	}
	// Hand over hand: the stream cannot end between finding it and joining it. The
	// subscriber is held (sub.mu) until its replay is handed over: a broadcast that
	// already counts it waits for that, one that does not is what the replay carries.
	st.mu.Lock()
	s.mu.Unlock()
	sub.mu.Lock()
	st.subs[sub], st.list = struct{}{}, nil
	// The callback runs on a goroutine of its own.
	sub.stop = context.AfterFunc(ctx, func() { s.leave(st, sub) })
	replay := st.last
	st.mu.Unlock()
	if replay != nil {
		updater.Update(replay)
	}
	sub.mu.Unlock()
	if !open {
		go func() {
			last := run(req.Context(), req, st.broadcast)
			s.finish(st, last)
		}()
	}
	return nil
}

// broadcast hands an event to every subscriber and keeps it for those joining later.
func (st *sharedStream) broadcast(data []byte) {
	st.mu.Lock()
	st.last = data
	if st.list == nil {
		st.list = make([]*sharedSubscriber, 0, len(st.subs))
		for sub := range st.subs {
			st.list = append(st.list, sub)
		}
	}
	list := st.list
	st.mu.Unlock()
	for _, sub := range list {
		// A subscriber that left meanwhile: its updater drops the event.
		sub.mu.Lock()
		sub.updater.Update(data)
		sub.mu.Unlock()
	}
}

// leave takes a subscriber whose context ended off the stream; the last one's leaving
// ends the upstream stream.
func (s *sharedStreams) leave(st *sharedStream, sub *sharedSubscriber) {
	s.mu.Lock()
	st.mu.Lock()
	delete(st.subs, sub)
	st.list = nil
	last := len(st.subs) == 0 && !st.closed
	if last {
		st.closed = true
		if s.streams[st.key] == st {
			delete(s.streams, st.key)
		}
	}
	st.mu.Unlock()
	s.mu.Unlock()
	if last {
		st.cancel()
	}
}

// finish ends every subscriber of a stream that ended (final: what they get last, if
// anything). Nobody joins it from here on: a subscriber re-subscribing opens a new one.
func (s *sharedStreams) finish(st *sharedStream, final []byte) {
	s.mu.Lock()
	if s.streams[st.key] == st {
		delete(s.streams, st.key)
	}
	st.mu.Lock()
	st.closed = true
	subs := st.subs
	st.subs, st.list = map[*sharedSubscriber]struct{}{}, nil
	st.mu.Unlock()
	s.mu.Unlock()
	st.cancel()
	for sub := range subs {
		sub.mu.Lock()
		sub.stop()
		if final != nil {
			sub.updater.Update(final)
		}
		sub.updater.Complete()
		sub.mu.Unlock()
	}
}
