package core

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"

	"github.com/dizhtime/dizhtime/router/pkg/authn"

	"go.opentelemetry.io/otel/propagation"
)

// w3c reads and writes W3C traceparent/tracestate and baggage. The router always
// propagates them, whatever global propagator the process set.
var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// requestState travels in the context of one client operation down to the upstream
// transport: which client headers to forward, and which subgraphs failed.
type requestState struct {
	forward http.Header
	// identity is the caller a token proved (nil: anonymous); it reaches every subgraph
	// fetch and upstream subscription as X-DizhTime-User-Id / X-DizhTime-Roles.
	identity *authn.Identity
	// clientIP is the end client's address (see clientAddress); it is signed into the
	// upstream token so subgraphs can limit per client behind the router.
	clientIP string

	mu       sync.Mutex
	failures map[string]string // subgraph name -> error code
}

type requestStateKey struct{}

func withRequestState(ctx context.Context, forward http.Header, identity *authn.Identity) (context.Context, *requestState) {
	st := &requestState{forward: forward, identity: identity, clientIP: clientAddrFrom(ctx)}
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
	// Only the router speaks for the caller's identity.
	authn.StripIdentityHeaders(req.Header)
	if st.identity != nil {
		authn.SetIdentityHeaders(req.Header, *st.identity)
	}
}

// signUpstream adds the router-signed token for subgraph: the caller's identity and
// address, audience the subgraph, valid for a minute. It is the only thing a subgraph
// believes about who the caller is (platform/authz). Without a signer nothing is added.
func signUpstream(req *http.Request, signer *authn.ServiceSigner, subgraph string) error {
	if signer == nil {
		return nil
	}
	var (
		id *authn.Identity
		ip string
	)
	if st := requestStateFrom(req.Context()); st != nil {
		id, ip = st.identity, st.clientIP
	}
	return signer.SetServiceToken(req.Header, subgraph, id, ip)
}

// setClientIP records the end client's address for the upstream token.
func (st *requestState) setClientIP(ip string) {
	if st != nil {
		st.clientIP = ip
	}
}

// upstreamKeyHeader carries, inside the engine only, a digest of everything the router
// adds to an upstream request for this caller. The engine shares one upstream
// subscription between clients whose subscription input is identical; it cannot see
// headers this router's transport adds, so without this key two users subscribing to
// the same field would share the first user's upstream connection and identity.
// It is never sent to a subgraph (the transport builds upstream headers itself).
const upstreamKeyHeader = "X-Router-Upstream-Key"

// upstreamKey is the digest of the headers forwarded for this caller.
func (st *requestState) upstreamKey() string {
	h := xxhash.New()
	names := make([]string, 0, len(st.forward))
	for k := range st.forward {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		_, _ = h.WriteString(k + ":" + strings.Join(st.forward[k], ",") + "\n")
	}
	if st.identity != nil {
		_, _ = h.WriteString("user:" + st.identity.UserID + "\nroles:" + strings.Join(st.identity.Roles, ",") + "\n")
	}
	return strconv.FormatUint(h.Sum64(), 16)
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
	canon := make([]string, 0, len(names))
	for _, n := range names {
		// Config validation refuses identity headers; this keeps a hand-built config safe too.
		if strings.HasPrefix(strings.ToLower(n), "x-dizhtime-") {
			continue
		}
		canon = append(canon, http.CanonicalHeaderKey(n))
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
