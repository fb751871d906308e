package core

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
	"golang.org/x/sync/singleflight"

	"github.com/dizhtime/dizhtime/router/pkg/authn"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// upstreamTransport is the router's HTTP transport to subgraphs. It does what the
// engine's data source cannot be told per subgraph:
//
//   - bounds each fetch by its subgraph's timeout. http.Client.Timeout cannot be used:
//     the engine dials upstream WebSockets through the same client, and that timeout
//     would cut a long subscription.
//   - pins the WebSocket subprotocol a subgraph asked for in supergraph.yaml. The
//     engine offers both graphql-transport-ws and graphql-ws, and gqlgen picks legacy
//     graphql-ws when offered both.
//   - forwards the client headers the propagation rules allow, and W3C traceparent
//     (on fetches and on WebSocket upgrades).
//   - records a span, latency and errors per subgraph fetch, and remembers failed
//     fetches so the client's error can say the subgraph was unavailable.
type upstreamTransport struct {
	base http.RoundTripper
	// upgrades carries WebSocket upgrades only: its connections hand the engine whole
	// messages (see wholeMessageConn).
	upgrades http.RoundTripper
	// subgraphs maps a routing or subscription URL (as http/https) to its subgraph.
	subgraphs map[string]upstreamSubgraph
	metrics   *Metrics
	// signer signs the caller's identity for each subgraph (see signUpstream).
	signer *authn.ServiceSigner
	// dedup shares identical in-flight fetches (nil: off; see sharedFetch).
	dedup *singleflight.Group
}

type upstreamSubgraph struct {
	name        string
	timeout     time.Duration
	subprotocol string // WebSocket subprotocol to offer, for subscription URLs
	// aliases rewrites operations selecting conflicting member fields (nil: none here;
	// see upstream_aliases.go).
	aliases *upstreamAliaser
}

func (t *upstreamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sub := t.subgraphs[req.URL.String()]
	if strings.EqualFold(req.Header.Get("Upgrade"), "websocket") {
		req = req.Clone(req.Context())
		if sub.subprotocol != "" {
			req.Header.Set("Sec-WebSocket-Protocol", sub.subprotocol)
		}
		forwardHeaders(req)
		if err := signUpstream(req, t.signer, sub.name); err != nil {
			return nil, err
		}
		// The subgraph continues the subscription's trace (the router's operation span).
		w3c.Inject(req.Context(), propagation.HeaderCarrier(req.Header))
		if t.upgrades != nil {
			return t.upgrades.RoundTrip(req)
		}
		return t.base.RoundTrip(req)
	}

	if sub.aliases != nil && req.Method == http.MethodPost && !streamingFetch(req) {
		req = req.Clone(req.Context())
		aliased, err := sub.aliases.rewriteRequest(req)
		if err != nil {
			return nil, err
		}
		if aliased {
			resp, err := t.send(req, sub)
			if err != nil {
				return nil, err
			}
			return resp, unaliasResponse(resp)
		}
	}
	return t.send(req, sub)
}

// send sends one fetch, shared with identical ones in flight when dedup is on.
func (t *upstreamTransport) send(req *http.Request, sub upstreamSubgraph) (*http.Response, error) {
	if t.dedup != nil && req.Method == http.MethodPost && !resolve.SingleFlightDisallowed(req.Context()) && !streamingFetch(req) {
		return t.sharedFetch(req, sub)
	}
	resp, failure, err := t.fetch(req, sub)
	if failure != "" {
		recordSubgraphFailure(req.Context(), sub.name, failure)
	}
	return resp, err
}

// fetch sends one request to a subgraph. failure is the error code to report for the
// subgraph ("" when it answered below 500).
func (t *upstreamTransport) fetch(req *http.Request, sub upstreamSubgraph) (*http.Response, string, error) {
	ctx, span := fetchSpan(req.Context(), sub.name)
	cancel := context.CancelFunc(func() {})
	// A subscription stream lasts as long as the subscription: no fetch timeout.
	if streamingFetch(req) {
		req = req.Clone(ctx)
	} else {
		if sub.timeout > 0 {
			ctx, cancel = context.WithTimeout(ctx, sub.timeout)
		}
		// The engine's HTTP client built this request for this one fetch (and http.Client
		// copied its headers already): the upstream headers are added to it in place
		// instead of to a copy of every header (every step below only sets them).
		req = req.WithContext(ctx)
	}
	forwardHeaders(req)
	if err := signUpstream(req, t.signer, sub.name); err != nil {
		span.End()
		cancel()
		return nil, "", err
	}
	w3c.Inject(ctx, propagation.HeaderCarrier(req.Header))

	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	t.metrics.observeFetch(ctx, sub.name, time.Since(start), err != nil || resp.StatusCode >= 500)
	if err != nil {
		failure := CodeSubgraphUnavailable
		if ctx.Err() == context.DeadlineExceeded {
			failure = CodeSubgraphTimeout
		}
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		span.End()
		cancel()
		return nil, failure, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	failure := ""
	if resp.StatusCode >= 500 {
		failure = CodeSubgraphUnavailable
		span.SetStatus(codes.Error, resp.Status)
	}
	resp.Body = &endOnClose{ReadCloser: resp.Body, end: func() { cancel(); span.End() }}
	return resp, failure, nil
}

// fetchSpan starts the fetch's span, a child of the operation's. When the operation's
// span is neither recorded nor sampled (no exporter, or a trace not sampled), the
// parent-based sampler would not record the child either: the operation's span stands
// for the fetch (its traceparent is what the subgraph continues) and no span is started
// (2.8% of the router's CPU per request went into starting spans nobody records).
func fetchSpan(ctx context.Context, subgraph string) (context.Context, trace.Span) {
	if parent := trace.SpanFromContext(ctx); parent.SpanContext().IsValid() && !parent.IsRecording() && !parent.SpanContext().IsSampled() {
		return ctx, noSpan
	}
	return routerTracer().Start(ctx, "subgraph fetch "+subgraph,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("graphql.subgraph.name", subgraph)))
}

// noSpan does nothing (the no-op span of a context without one).
var noSpan = trace.SpanFromContext(context.Background())

// sharedFetch sends identical subgraph requests in flight at the same time once
// (config deduplication.subgraph_fetches): same subgraph, same body, same request
// headers from the engine, and the same caller (identity, client address and
// forwarded headers, see writeCallerKey), so the shared answer is one the subgraph
// would have given each of them. The engine marks a mutation's fetches, which are
// never shared. The round trip runs detached from the first caller's cancellation
// (still bounded by the subgraph timeout); each caller reads its own copy of the body.
func (t *upstreamTransport) sharedFetch(req *http.Request, sub upstreamSubgraph) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	var key strings.Builder
	key.Grow(len(body) + 256)
	key.WriteString(req.URL.String())
	names := make([]string, 0, len(req.Header))
	for k := range req.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&key, "\x00%s:%q", k, req.Header[k])
	}
	writeCallerKey(&key, requestStateFrom(req.Context()))
	fmt.Fprintf(&key, "\x00body:%d:", len(body))
	key.Write(body)

	ch := t.dedup.DoChan(key.String(), func() (any, error) {
		leader := req.Clone(context.WithoutCancel(req.Context()))
		leader.Body = io.NopCloser(bytes.NewReader(body))
		leader.ContentLength = int64(len(body))
		resp, failure, err := t.fetch(leader, sub)
		if err != nil {
			return &sharedResponse{failure: failure, err: err}, nil
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return &sharedResponse{failure: CodeSubgraphUnavailable, err: err}, nil
		}
		return &sharedResponse{status: resp.StatusCode, proto: resp.Proto, header: resp.Header, body: b, failure: failure}, nil
	})
	var res singleflight.Result
	select {
	case res = <-ch:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	if res.Shared {
		t.metrics.fetchCoalesced(sub.name)
	}
	shared := res.Val.(*sharedResponse)
	if shared.failure != "" {
		recordSubgraphFailure(req.Context(), sub.name, shared.failure)
	}
	if shared.err != nil {
		return nil, shared.err
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", shared.status, http.StatusText(shared.status)),
		StatusCode:    shared.status,
		Proto:         shared.proto,
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        shared.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(shared.body)),
		ContentLength: int64(len(shared.body)),
		Request:       req,
	}, nil
}

// streamingFetch reports an upstream subscription over HTTP (SSE or multipart): a
// stream for one caller, never shared.
func streamingFetch(req *http.Request) bool {
	accept := req.Header.Get("Accept")
	return strings.Contains(accept, "text/event-stream") || strings.Contains(accept, "multipart/")
}

// sharedResponse is one subgraph answer handed to every caller of a shared fetch.
type sharedResponse struct {
	status  int
	proto   string
	header  http.Header
	body    []byte
	failure string
	err     error
}

// endOnClose releases the fetch's timeout and ends its span once the body is consumed.
type endOnClose struct {
	io.ReadCloser
	once sync.Once
	end  func()
}

func (c *endOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.once.Do(c.end)
	return err
}

// httpURL turns a ws(s) URL into the http(s) URL the engine dials.
func httpURL(u string) string {
	switch {
	case strings.HasPrefix(u, "wss://"):
		return "https://" + strings.TrimPrefix(u, "wss://")
	case strings.HasPrefix(u, "ws://"):
		return "http://" + strings.TrimPrefix(u, "ws://")
	}
	return u
}
