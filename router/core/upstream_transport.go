package core

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/authn"

	"go.opentelemetry.io/otel"
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
//   - forwards the client headers the propagation rules allow, and W3C traceparent.
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
}

type upstreamSubgraph struct {
	name        string
	timeout     time.Duration
	subprotocol string // WebSocket subprotocol to offer, for subscription URLs
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
		if t.upgrades != nil {
			return t.upgrades.RoundTrip(req)
		}
		return t.base.RoundTrip(req)
	}

	ctx, span := otel.Tracer(tracerName).Start(req.Context(), "subgraph fetch "+sub.name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("graphql.subgraph.name", sub.name)))
	cancel := context.CancelFunc(func() {})
	if sub.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, sub.timeout)
	}
	req = req.Clone(ctx)
	forwardHeaders(req)
	if err := signUpstream(req, t.signer, sub.name); err != nil {
		span.End()
		cancel()
		return nil, err
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
		recordSubgraphFailure(req.Context(), sub.name, failure)
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		span.End()
		cancel()
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 500 {
		recordSubgraphFailure(req.Context(), sub.name, CodeSubgraphUnavailable)
		span.SetStatus(codes.Error, resp.Status)
	}
	resp.Body = &endOnClose{ReadCloser: resp.Body, end: func() { cancel(); span.End() }}
	return resp, nil
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
