package core_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// gaugeOf reads an unlabelled series (or the sum of a labelled one) from /metrics.
func gaugeOf(t *testing.T, r *testRouter, name string) float64 {
	t.Helper()
	total := 0.0
	for _, line := range strings.Split(metricsOf(t, r), "\n") {
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			t.Fatalf("metric line %q", line)
		}
		total += v
	}
	return total
}

// readOwnRun reads n events for subscription id from c, each framed with that id and
// following the one before with no gap; it returns the first one's number.
func readOwnRun(t *testing.T, c *wsClient, id string, n int) int {
	t.Helper()
	return readEvents(t, c, id, id, n)
}

// withFanout shares reviewAdded (a field of the test subgraphs) the way deliveryTracking
// is shared by default, with the subgraphs subscribed over WebSocket: no upstream stream
// sharing is involved, every engine subscription has an upstream subscription of its own.
func withFanout(on bool) routerOption {
	return func(c *config.Config) {
		c.Subscriptions.ShareLatest = []string{"reviewAdded"}
		c.Subscriptions.ShareLatestFanout = on
	}
}

func TestSubscriptionFanout_clientsOfOneUserShareOneEngineSubscription_eachWithItsOwnID_twoUsersNever(t *testing.T) {
	const clients = 30
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, true), withFanout(true))
	reviews := r.Subgraphs.ReviewsSubgraph

	token := issuer.token(t, "u1", time.Minute, "CUSTOMER")
	tabs := make([]*wsClient, clients)
	for i := range tabs {
		c := dialAcked(t, r.URL, token, fmt.Sprintf("tab %d", i))
		c.send(map[string]any{"id": fmt.Sprintf("tab-%d", i), "type": "subscribe", "payload": sharedSubscription})
		tabs[i] = c
	}
	// Every tab gets every event in order, framed with its own id: the first from event
	// 1, the later ones from the latest event when they joined.
	for i, c := range tabs {
		first := readOwnRun(t, c, fmt.Sprintf("tab-%d", i), 20)
		if i == 0 && first != 1 {
			t.Fatalf("the first tab started at event %d", first)
		}
	}
	if got := gaugeOf(t, r, "router_engine_subscriptions"); got != 1 {
		t.Fatalf("%d identical subscriptions of one user run %v engine subscriptions, want 1", clients, got)
	}
	if got := gaugeOf(t, r, "router_active_subscriptions"); got != clients {
		t.Fatalf("router_active_subscriptions %v, want %d", got, clients)
	}
	if got := reviews.SubscriptionsStarted(); got != 1 {
		t.Fatalf("%d identical subscriptions of one user started %d upstream subscriptions, want 1", clients, got)
	}

	// A late joiner gets the latest event at once, then the ones after it.
	late := dialAcked(t, r.URL, token, "late tab")
	late.send(map[string]any{"id": "late", "type": "subscribe", "payload": sharedSubscription})
	if first := readOwnRun(t, late, "late", 5); first < 20 {
		t.Fatalf("the late tab started at event %d, want the latest (20 or later)", first)
	}

	// One tab stopping (and one closing its socket) leaves the others streaming on the
	// same engine subscription.
	tabs[0].send(map[string]any{"id": "tab-0", "type": "complete"})
	_ = tabs[1].conn.CloseNow()
	for i, c := range tabs[2:] {
		readOwnRun(t, c, fmt.Sprintf("tab-%d", i+2), 5)
	}
	waitFor(t, "the two leavers to be gone", 5*time.Second, func() bool {
		return gaugeOf(t, r, "router_active_subscriptions") == clients-1 // 30 - 2 + late
	})
	if got := gaugeOf(t, r, "router_engine_subscriptions"); got != 1 {
		t.Fatalf("%v engine subscriptions after two tabs left, want 1", got)
	}

	// Two other users with the same subscription: an engine subscription each, each
	// from event 1 (nobody joined another user's).
	before := reviews.SubscriptionsStarted()
	for i, u := range []string{"u2", "u3"} {
		c := dialAcked(t, r.URL, issuer.token(t, u, time.Minute, "CUSTOMER"), fmt.Sprintf("user %s", u))
		c.send(map[string]any{"id": "1", "type": "subscribe", "payload": sharedSubscription})
		if first := readOwnRun(t, c, "1", 5); first != 1 {
			t.Fatalf("user %s joined another user's subscription (first event %d)", u, first)
		}
		if got := reviews.SubscriptionsStarted() - before; got != int64(i+1) {
			t.Fatalf("%d users made %d upstream subscriptions", i+1, got)
		}
		if got := gaugeOf(t, r, "router_engine_subscriptions"); got != float64(i+2) {
			t.Fatalf("%d users run %v engine subscriptions, want %d", i+2, got, i+2)
		}
	}
	// The same user under another token (another expiry) does not share either.
	other := dialAcked(t, r.URL, issuer.token(t, "u1", 2*time.Minute, "CUSTOMER"), "second token")
	other.send(map[string]any{"id": "1", "type": "subscribe", "payload": sharedSubscription})
	if first := readOwnRun(t, other, "1", 3); first != 1 {
		t.Fatalf("a second token of u1 joined the first token's subscription (first event %d)", first)
	}

	// The last tab leaving ends the engine subscription and its upstream one.
	for _, c := range append(tabs[2:], late) {
		_ = c.conn.CloseNow()
	}
	waitFor(t, "u1's shared engine subscription to end with its last client", 5*time.Second, func() bool {
		return gaugeOf(t, r, "router_engine_subscriptions") == 3
	})
}

func TestSubscriptionFanout_completionReachesEveryClient_andALegacyClientSharesWithItsOwnFraming(t *testing.T) {
	const clients = 8
	r := startRouter(t, "graphql-transport-ws", withFanout(true))
	finite := map[string]any{"query": `subscription { reviewAdded(upc: "finite", count: 40, intervalMs: 20) { body } }`}
	tabs := make([]*wsClient, clients)
	for i := range tabs {
		tabs[i] = dialWS(t, r.URL, "graphql-transport-ws")
		tabs[i].send(map[string]any{"id": fmt.Sprintf("s%d", i), "type": "subscribe", "payload": finite})
	}
	legacy := dialWS(t, r.URL, "graphql-ws")
	legacy.send(map[string]any{"id": "old", "type": "start", "payload": finite})
	for i, c := range tabs {
		id := fmt.Sprintf("s%d", i)
		prev := 0
		for {
			m := c.readSkippingKeepAlive()
			if m.ID != id {
				t.Fatalf("%s: message framed with id %q: %+v", id, m.ID, m)
			}
			if m.Type == "complete" {
				break
			}
			if m.Type != "next" {
				t.Fatalf("%s: want next or complete, got %+v %s", id, m, m.Payload)
			}
			n := eventNumber(t, m.Payload)
			if prev != 0 && n != prev+1 {
				t.Fatalf("%s: event %d after %d", id, n, prev)
			}
			prev = n
		}
		if prev != 40 {
			t.Fatalf("%s completed after event %d, want 40", id, prev)
		}
	}
	prev := 0
	for {
		m := legacy.readSkippingKeepAlive()
		if m.ID != "old" {
			t.Fatalf("legacy: message framed with id %q: %+v", m.ID, m)
		}
		if m.Type == "complete" {
			break
		}
		if m.Type != "data" {
			t.Fatalf("legacy: want data or complete, got %+v", m)
		}
		prev = eventNumber(t, m.Payload)
	}
	if prev != 40 {
		t.Fatalf("the legacy client completed after event %d, want 40", prev)
	}
	if got := r.Subgraphs.ReviewsSubgraph.SubscriptionsStarted(); got != 1 {
		t.Fatalf("%d identical anonymous subscriptions started %d upstream subscriptions, want 1", clients+1, got)
	}
	waitFor(t, "the client subscriptions to end", 5*time.Second, func() bool {
		return gaugeOf(t, r, "router_active_subscriptions") == 0 && gaugeOf(t, r, "router_engine_subscriptions") == 0
	})
}

func TestSubscriptionFanout_offGivesEveryClientSubscriptionItsOwn(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", withFanout(false))
	tabs := make([]*wsClient, 3)
	for i := range tabs {
		tabs[i] = dialWS(t, r.URL, "graphql-transport-ws")
		tabs[i].send(map[string]any{"id": "1", "type": "subscribe", "payload": sharedSubscription})
	}
	for _, c := range tabs {
		if first := readOwnRun(t, c, "1", 3); first != 1 {
			t.Fatalf("with fan-out off a subscription started at event %d", first)
		}
	}
	if got := gaugeOf(t, r, "router_engine_subscriptions"); got != 3 {
		t.Fatalf("with fan-out off 3 subscriptions run %v engine subscriptions", got)
	}
}

// The shared engine subscription is started on its first client's connection; that
// connection going away (not only its subscription stopping) must leave the others
// streaming on it, and the last of them leaving still ends it.
func TestSubscriptionFanout_theFirstClientsConnectionClosingLeavesTheOthersStreaming(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, true), withFanout(true))
	token := issuer.token(t, "u1", time.Minute, "CUSTOMER")
	tabs := make([]*wsClient, 4)
	for i := range tabs {
		c := dialAcked(t, r.URL, token, fmt.Sprintf("tab %d", i))
		c.send(map[string]any{"id": fmt.Sprintf("tab-%d", i), "type": "subscribe", "payload": sharedSubscription})
		tabs[i] = c
		readOwnRun(t, c, fmt.Sprintf("tab-%d", i), 2) // joined before the next one dials
	}
	if got := gaugeOf(t, r, "router_engine_subscriptions"); got != 1 {
		t.Fatalf("%v engine subscriptions for one user's tabs, want 1", got)
	}
	_ = tabs[0].conn.CloseNow()
	waitFor(t, "the first tab to be gone", 5*time.Second, func() bool {
		return gaugeOf(t, r, "router_active_subscriptions") == 3
	})
	// 40 events at 50 ms: most of them sent after the close (fewer were waiting unread).
	for i, c := range tabs[1:] {
		readOwnRun(t, c, fmt.Sprintf("tab-%d", i+1), 40)
	}
	if got := gaugeOf(t, r, "router_engine_subscriptions"); got != 1 {
		t.Fatalf("%v engine subscriptions after the first tab's connection closed, want 1", got)
	}
	for _, c := range tabs[1:] {
		_ = c.conn.CloseNow()
	}
	waitFor(t, "the shared engine subscription to end with its last client", 5*time.Second, func() bool {
		return gaugeOf(t, r, "router_engine_subscriptions") == 0
	})
}
