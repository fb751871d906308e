package core

import (
	"context"
	"net/http"
	"sync"

	"go.opentelemetry.io/otel/propagation"
)

// w3c reads and writes W3C traceparent/tracestate and baggage. The router always
// propagates them, whatever global propagator the process set.
var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// requestState travels in the context of one client operation down to the upstream
// transport: which client headers to forward, and which subgraphs failed.
type requestState struct {
	forward http.Header

	mu       sync.Mutex
	failures map[string]string // subgraph name -> error code
}

type requestStateKey struct{}

func withRequestState(ctx context.Context, forward http.Header) (context.Context, *requestState) {
	st := &requestState{forward: forward}
	return context.WithValue(ctx, requestStateKey{}, st), st
}

func requestStateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(requestStateKey{}).(*requestState)
	return st
}

// forwardHeaders copies the propagated client headers onto an upstream request.
func forwardHeaders(req *http.Request) {
	st := requestStateFrom(req.Context())
	if st == nil {
		return
	}
	for k, vs := range st.forward {
		req.Header[k] = vs
	}
}

func recordSubgraphFailure(ctx context.Context, subgraph, code string) {
	st := requestStateFrom(ctx)
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.failures == nil {
		st.failures = map[string]string{}
	}
	st.failures[subgraph] = code
}

func (st *requestState) failure(subgraph string) (string, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	code, ok := st.failures[subgraph]
	return code, ok
}

// headerRules picks the client headers forwarded to subgraphs.
type headerRules struct{ names []string }

func newHeaderRules(names []string) headerRules {
	canon := make([]string, len(names))
	for i, n := range names {
		canon[i] = http.CanonicalHeaderKey(n)
	}
	return headerRules{names: canon}
}

func (h headerRules) pick(in http.Header) http.Header {
	var out http.Header
	for _, n := range h.names {
		if vs, ok := in[n]; ok {
			if out == nil {
				out = http.Header{}
			}
			out[n] = vs
		}
	}
	return out
}
