package core_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// sharedSubscription is one identical subscription every client of these tests opens: a
// long stream, so every client joins while it runs.
var sharedSubscription = map[string]any{
	"query": `subscription { reviewAdded(upc: "shared", count: 100000, intervalMs: 50) { body } }`,
}

// eventNumber reads "event <n>" out of a reviewAdded result.
func eventNumber(t *testing.T, payload json.RawMessage) int {
	t.Helper()
	var res struct {
		Data struct {
			ReviewAdded struct{ Body string } `json:"reviewAdded"`
		} `json:"data"`
	}
	if err := json.Unmarshal(payload, &res); err != nil {
		t.Fatalf("event %s: %v", payload, err)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(res.Data.ReviewAdded.Body, "event "))
	if err != nil {
		t.Fatalf("event %s: no number", payload)
	}
	return n
}

// dialAcked opens a graphql-transport-ws connection with token in its connection_init
// and waits for the ack; who names the client in a failure.
func dialAcked(t *testing.T, httpURL, token, who string) *wsClient {
	t.Helper()
	c := dialWSWithInit(t, httpURL, map[string]any{"Authorization": "Bearer " + token})
	if m := c.readSkippingKeepAlive(); m.Type != "connection_ack" {
		t.Fatalf("%s: want connection_ack, got %+v", who, m)
	}
	return c
}

// readRun reads n events from c and checks they follow each other with no gap; it
// returns the first one's number.
func readRun(t *testing.T, c *wsClient, who string, n int) int {
	t.Helper()
	return readEvents(t, c, who, "", n)
}

// readEvents is readRun that also checks, when id is not empty, that every event is
// framed with that subscription id.
func readEvents(t *testing.T, c *wsClient, who, id string, n int) int {
	t.Helper()
	first, prev := 0, 0
	for i := range n {
		m := c.readSkippingKeepAlive()
		if m.Type != "next" {
			t.Fatalf("%s: want next, got %+v %s", who, m, m.Payload)
		}
		if id != "" && m.ID != id {
			t.Fatalf("subscription %s got an event framed with id %q", id, m.ID)
		}
		got := eventNumber(t, m.Payload)
		if i == 0 {
			first = got
		} else if got != prev+1 {
			t.Fatalf("%s: event %d after event %d (missed or repeated)", who, got, prev)
		}
		prev = got
	}
	return first
}

func TestUpstreamSSE_identicalSubscriptionsOfOneUserShareOneUpstreamStream_twoUsersNever(t *testing.T) {
	const clients = 50
	issuer := newTokenIssuer(t)
	r := startRouter(t, "sse", withAuth(issuer, true), func(c *config.Config) { c.Subscriptions.ShareLatest = []string{"reviewAdded"} })
	reviews := r.Subgraphs.ReviewsSubgraph

	// One user, fifty browser tabs: one token, fifty connections, one identical
	// subscription each.
	token := issuer.token(t, "u1", time.Minute, "CUSTOMER")
	tabs := make([]*wsClient, clients)
	for i := range tabs {
		c := dialAcked(t, r.URL, token, fmt.Sprintf("tab %d", i))
		c.send(map[string]any{"id": "1", "type": "subscribe", "payload": sharedSubscription})
		tabs[i] = c
	}
	// Each tab gets a run of events with no gap: the first tab from event 1, a tab that
	// joined later from the latest event when it joined (at once, not at the next one).
	for i, c := range tabs {
		first := readRun(t, c, fmt.Sprintf("tab %d", i), 20)
		if i == 0 && first != 1 {
			t.Fatalf("the first tab started at event %d", first)
		}
	}
	if got := reviews.SubscriptionsStarted(); got != 1 {
		t.Fatalf("%d identical subscriptions of one user started %d upstream streams, want 1", clients, got)
	}
	if got := len(r.Subgraphs.ReviewsStreams.Streams()); got != 1 {
		t.Fatalf("the subgraph saw %d SSE requests, want 1", got)
	}
	if user := r.Subgraphs.ReviewsStreams.Streams()[0].Header.Get("X-DizhTime-User-Id"); user != "u1" {
		t.Fatalf("the shared stream speaks for user %q", user)
	}

	// A tab that leaves takes nothing from the others; the stream ends with the last one.
	for _, c := range tabs[:clients-1] {
		_ = c.conn.CloseNow()
	}
	readRun(t, tabs[clients-1], "the last tab", 10)
	if got := reviews.ActiveSubscriptions(); got != 1 {
		t.Fatalf("%d upstream streams running with one tab left", got)
	}
	_ = tabs[clients-1].conn.CloseNow()
	waitFor(t, "the shared stream to end with its last subscriber", 5*time.Second, func() bool { return reviews.ActiveSubscriptions() == 0 })

	// Two users with the same subscription: two streams, each carrying its own user.
	before := reviews.SubscriptionsStarted()
	users := []string{"u2", "u3"}
	for i, u := range users {
		c := dialAcked(t, r.URL, issuer.token(t, u, time.Minute, "CUSTOMER"), fmt.Sprintf("user %s", u))
		c.send(map[string]any{"id": "1", "type": "subscribe", "payload": sharedSubscription})
		if first := readRun(t, c, "user "+u, 5); first != 1 {
			t.Fatalf("user %s joined another user's stream (first event %d)", u, first)
		}
		if got := reviews.SubscriptionsStarted() - before; got != int64(i+1) {
			t.Fatalf("%d users made %d upstream streams", i+1, got)
		}
	}
	streams := r.Subgraphs.ReviewsStreams.Streams()
	seen := map[string]bool{}
	for _, s := range streams[len(streams)-2:] {
		seen[s.Header.Get("X-DizhTime-User-Id")] = true
	}
	if !seen["u2"] || !seen["u3"] {
		t.Fatalf("the two users' streams speak for %v", seen)
	}
}

func TestUpstreamSSE_subscriptionsOfFieldsNotNamedInShareLatestKeepAStreamEach(t *testing.T) {
	r := startRouter(t, "sse") // share_latest: the default, deliveryTracking only
	for i := range 3 {
		c := dialWS(t, r.URL, "graphql-transport-ws")
		c.send(map[string]any{"id": "1", "type": "subscribe", "payload": sharedSubscription})
		if first := readRun(t, c, fmt.Sprintf("client %d", i), 2); first != 1 {
			t.Fatalf("client %d started at event %d: it joined another stream", i, first)
		}
	}
	if got := r.Subgraphs.ReviewsSubgraph.SubscriptionsStarted(); got != 3 {
		t.Fatalf("3 subscriptions of a field not named in share_latest started %d upstream streams", got)
	}
}
