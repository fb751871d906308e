package core

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// upstreamTransport is the router's HTTP transport to subgraphs. It does two things
// the engine's data source cannot be told per subgraph:
//
//   - bounds each fetch by a timeout. http.Client.Timeout cannot be used: the engine
//     dials upstream WebSockets through the same client, and that timeout would cut a
//     long subscription.
//   - pins the WebSocket subprotocol a subgraph asked for in supergraph.yaml. The
//     engine offers both graphql-transport-ws and graphql-ws, and gqlgen picks legacy
//     graphql-ws when offered both.
type upstreamTransport struct {
	base    http.RoundTripper
	timeout time.Duration
	// subprotocols maps a subscription URL (as http/https) to the one subprotocol to offer.
	subprotocols map[string]string
}

func (t *upstreamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.EqualFold(req.Header.Get("Upgrade"), "websocket") {
		if p, ok := t.subprotocols[req.URL.String()]; ok {
			req = req.Clone(req.Context())
			req.Header.Set("Sec-WebSocket-Protocol", p)
		}
		return t.base.RoundTrip(req)
	}
	if t.timeout <= 0 {
		return t.base.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases the fetch's timeout once its body is consumed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
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
