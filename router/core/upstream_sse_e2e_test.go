package core_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/router/pkg/config"
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

func TestUpstreamSSE_streamsSharingOneConnectionEachCarryTheirOwnCallersSignedIdentity(t *testing.T) {
	const n = 40
	issuer := newTokenIssuer(t)
	keys, err := authz.WriteServiceKeys(t.TempDir(), []string{authz.RouterService, "reviews"})
	if err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, "sse", withAuth(issuer, true), func(c *config.Config) { c.Auth.ServiceKeyFile = keys.Keys[authz.RouterService] })
	// The reviews subgraph's view: it trusts the router's key, as a deployed subgraph does.
	reviews, err := authz.LoadServiceIdentity("reviews", keys.Keys["reviews"], keys.JWKS)
	if err != nil {
		t.Fatal(err)
	}
	before := r.Subgraphs.ReviewsConnections()
	// Client i is user u<i> and subscribes to product p-<i>.
	clients := subscribeDistinct(t, r, n, func(i int) map[string]any {
		return map[string]any{"Authorization": "Bearer " + issuer.token(t, fmt.Sprintf("u%d", i), time.Minute, "CUSTOMER")}
	})
	if conns := r.Subgraphs.ReviewsConnections() - before; conns > 2 {
		t.Fatalf("%d subscriptions used %d upstream connections", n, conns)
	}

	// Upstream: every stream carries a token the subgraph verifies, naming the user whose
	// subscription (variables) it carries, and each user has exactly one stream.
	streams := r.Subgraphs.ReviewsStreams.Streams()
	if len(streams) != n {
		t.Fatalf("%d upstream streams for %d subscriptions", len(streams), n)
	}
	seen := map[string]bool{}
	for _, s := range streams {
		call, err := reviews.Verify(s.Header.Get(authz.HeaderServiceToken))
		if err != nil {
			t.Fatalf("stream %s: the subgraph refuses its token: %v", s.Body, err)
		}
		if call.Caller != authz.RouterService || call.User == nil {
			t.Fatalf("stream %s: token from %q for user %+v", s.Body, call.Caller, call.User)
		}
		user := call.User.UserID
		if seen[user] {
			t.Fatalf("user %s has two upstream streams", user)
		}
		seen[user] = true
		if want := `"p-` + strings.TrimPrefix(user, "u") + `"`; !strings.Contains(s.Body, want) {
			t.Fatalf("user %s's stream carries another subscription: %s", user, s.Body)
		}
		if s.Header.Get("X-DizhTime-User-Id") != user {
			t.Fatalf("stream for %s says X-DizhTime-User-Id %q", user, s.Header.Get("X-DizhTime-User-Id"))
		}
	}

	// Back: each client gets only its own product's events (the stream opened with its
	// identity is the only one carrying that product).
	for round := range 3 {
		for i, c := range clients {
			m := c.readSkippingKeepAlive()
			if m.Type != "next" || !strings.Contains(string(m.Payload), fmt.Sprintf(`"upc":"p-%d"`, i)) {
				t.Fatalf("round %d: client %d (user u%d) got %+v %s", round, i, i, m, m.Payload)
			}
		}
	}
}

func TestUpstreamSSE_whenTheClientLeavesOrItsTokenExpiresTheUpstreamStreamEnds(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "sse", withAuth(issuer, false))
	q := func(upc string) map[string]any {
		return map[string]any{"query": `subscription($upc: String!) { reviewAdded(upc: $upc, count: 1000, intervalMs: 100) { body } }`, "variables": map[string]any{"upc": upc}}
	}

	// The client stops its subscription: the subgraph's stream ends (the HTTP/2 stream is
	// reset; the connection stays for the others).
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": q("a")})
	c.send(map[string]any{"id": "2", "type": "subscribe", "payload": q("b")})
	for range 2 {
		if m := c.readSkippingKeepAlive(); m.Type != "next" {
			t.Fatalf("want next, got %+v %s", m, m.Payload)
		}
	}
	waitFor(t, "two upstream streams", 5*time.Second, func() bool { return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 2 })
	c.send(map[string]any{"id": "1", "type": "complete"})
	waitFor(t, "the stopped subscription's upstream stream to end", 5*time.Second, func() bool { return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 1 })
	_ = c.conn.CloseNow()
	waitFor(t, "the closed client's upstream stream to end", 5*time.Second, func() bool { return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 0 })

	// The client's token expires: it gets UNAUTHENTICATED and complete, and the stream ends.
	// exp has one-second resolution and the router allows 5 s of clock skew: a token
	// valid for one more second is refused some 6 s from now, whatever the machine's load
	// does to how long connecting takes.
	e := dialWSWithInit(t, r.URL, map[string]any{"Authorization": "Bearer " + issuer.token(t, "7", time.Second)})
	if m := e.readSkippingKeepAlive(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", m)
	}
	e.send(map[string]any{"id": "1", "type": "subscribe", "payload": q("c")})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("the subscription outlived its token")
		}
		m := e.readSkippingKeepAlive()
		if m.Type == "next" && strings.Contains(string(m.Payload), `"UNAUTHENTICATED"`) {
			if m := e.readSkippingKeepAlive(); m.Type != "complete" {
				t.Fatalf("want complete after the expiry, got %+v", m)
			}
			break
		}
		if m.Type != "next" {
			t.Fatalf("unexpected %+v %s", m, m.Payload)
		}
	}
	waitFor(t, "the expired subscription's upstream stream to end", 5*time.Second, func() bool { return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 0 })
}
