package core_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestUpstreamSSE_aSubscriptionStreamsItsEventsAndCompletes(t *testing.T) {
	r := startRouter(t, "sse")
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { reviewAdded(upc: "top-1", count: 3, intervalMs: 5) { body product { upc } } }`,
	}})
	for i := 1; i <= 3; i++ {
		m := c.readSkippingKeepAlive()
		if m.Type != "next" {
			t.Fatalf("event %d: %+v %s", i, m, m.Payload)
		}
		assertJSON(t, fmt.Sprintf(`{"data":{"reviewAdded":{"body":"event %d","product":{"upc":"top-1"}}}}`, i), m.Payload)
	}
	if m := c.readSkippingKeepAlive(); m.Type != "complete" {
		t.Fatalf("want complete, got %+v %s", m, m.Payload)
	}
	if up := r.Subgraphs.ReviewsHeaders.Last(); !strings.Contains(up.Get("Accept"), "text/event-stream") {
		t.Fatalf("the upstream subscription was not an SSE request: %v", up)
	}
	waitFor(t, "the upstream stream to end", 5*time.Second, func() bool { return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 0 })
}

// subscribeDistinct opens n client subscriptions, each on its own client WebSocket
// (headers: the caller's), with distinct variables (upc "p-<i>"), and waits for every
// first event.
func subscribeDistinct(t *testing.T, r *testRouter, n int, initPayload func(i int) map[string]any) []*wsClient {
	t.Helper()
	clients := make([]*wsClient, n)
	for i := range n {
		var c *wsClient
		if initPayload != nil {
			c = dialWSWithInit(t, r.URL, initPayload(i))
			if m := c.readSkippingKeepAlive(); m.Type != "connection_ack" {
				t.Fatalf("client %d: want connection_ack, got %+v", i, m)
			}
		} else {
			c = dialWS(t, r.URL, "graphql-transport-ws")
		}
		c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query":     `subscription($upc: String!) { reviewAdded(upc: $upc, count: 100000, intervalMs: 200) { body product { upc } } }`,
			"variables": map[string]any{"upc": fmt.Sprintf("p-%d", i)},
		}})
		clients[i] = c
	}
	for i, c := range clients {
		m := c.readSkippingKeepAlive()
		if m.Type != "next" || !strings.Contains(string(m.Payload), fmt.Sprintf(`"upc":"p-%d"`, i)) {
			t.Fatalf("client %d: first event %+v %s", i, m, m.Payload)
		}
	}
	return clients
}

func TestUpstreamSSE_distinctSubscriptionsShareAFewUpstreamConnectionsWhereWebSocketOpensOneEach(t *testing.T) {
	const n = 200
	for _, tc := range []struct {
		upstream           string
		minConns, maxConns int
	}{
		// One HTTP/2 connection carries up to 1000 streams; a second one may be dialled
		// while the first one's settings are on their way.
		{"sse", 1, 2},
		// What this replaces: a socket per distinct subscription.
		{"graphql-transport-ws", n, n + 5},
	} {
		t.Run(tc.upstream, func(t *testing.T) {
			r := startRouter(t, tc.upstream)
			before := r.Subgraphs.ReviewsConnections()
			subscribeDistinct(t, r, n, nil)
			if got := r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions(); got != n {
				t.Fatalf("reviews runs %d subscriptions, want %d (one upstream subscription per distinct client subscription)", got, n)
			}
			conns := r.Subgraphs.ReviewsConnections() - before
			t.Logf("%d distinct subscriptions over %s: %d upstream connections to reviews", n, tc.upstream, conns)
			if conns < tc.minConns || conns > tc.maxConns {
				t.Fatalf("%d distinct subscriptions used %d upstream connections, want %d..%d", n, conns, tc.minConns, tc.maxConns)
			}
			if tc.upstream == "sse" {
				for _, s := range r.Subgraphs.ReviewsStreams.Streams() {
					if s.Proto != "HTTP/2.0" {
						t.Fatalf("an upstream stream came over %s", s.Proto)
					}
				}
			}
		})
	}
}
