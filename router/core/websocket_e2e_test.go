package core_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

const reviewAddedQuery = `subscription S($n: Int!, $ms: Int) {
  reviewAdded(upc: "top-1", count: $n, intervalMs: $ms) {
    body
    author { name }
    product { name shippingEstimate }
  }
}`

func reviewEvent(i int) string {
	return fmt.Sprintf(`{"data":{"reviewAdded":{"body":"event %d","author":{"name":"Ada Lovelace"},"product":{"name":"Trilby","shippingEstimate":50}}}}`, i)
}

func TestSubscription_overGraphQLTransportWS_resolvesEntityFieldsAndCompletes(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	c := dialWS(t, r.URL, "graphql-transport-ws")

	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 3},
	}})
	for i := 1; i <= 3; i++ {
		m := c.readSkippingKeepAlive()
		if m.Type != "next" || m.ID != "1" {
			t.Fatalf("event %d: want next for id 1, got %+v (%s)", i, m, m.Payload)
		}
		assertJSON(t, reviewEvent(i), m.Payload)
	}
	if m := c.readSkippingKeepAlive(); m.Type != "complete" || m.ID != "1" {
		t.Fatalf("want complete after upstream completed, got %+v (%s)", m, m.Payload)
	}
	if got := r.Subgraphs.ReviewsUpgrades.Offered(); len(got) != 1 || got[0] != "graphql-transport-ws" {
		t.Fatalf("router offered reviews %q, want only graphql-transport-ws", got)
	}

	// The connection stays usable after a completed subscription, also for queries.
	c.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": `{ product(upc: "top-2") { name } }`}})
	if m := c.readSkippingKeepAlive(); m.Type != "next" {
		t.Fatalf("want next, got %+v", m)
	} else {
		assertJSON(t, `{"data":{"product":{"name":"Fedora"}}}`, m.Payload)
	}
	if m := c.readSkippingKeepAlive(); m.Type != "complete" {
		t.Fatalf("want complete, got %+v", m)
	}
}

func TestSubscription_overLegacyGraphQLWS_resolvesEntityFieldsAndCompletes(t *testing.T) {
	r := startRouter(t, "graphql-ws")
	c := dialWS(t, r.URL, "graphql-ws")

	c.send(map[string]any{"id": "a", "type": "start", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 2},
	}})
	for i := 1; i <= 2; i++ {
		m := c.readSkippingKeepAlive()
		if m.Type != "data" || m.ID != "a" {
			t.Fatalf("event %d: want data for id a, got %+v (%s)", i, m, m.Payload)
		}
		assertJSON(t, reviewEvent(i), m.Payload)
	}
	if m := c.readSkippingKeepAlive(); m.Type != "complete" || m.ID != "a" {
		t.Fatalf("want complete after upstream completed, got %+v (%s)", m, m.Payload)
	}
	if got := r.Subgraphs.ReviewsUpgrades.Offered(); len(got) != 1 || got[0] != "graphql-ws" {
		t.Fatalf("router offered reviews %q, want only graphql-ws", got)
	}
}

func TestSubscription_clientCompletingEarlyCancelsUpstream(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	c := dialWS(t, r.URL, "graphql-transport-ws")

	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 1000, "ms": 20},
	}})
	for i := 1; i <= 2; i++ {
		if m := c.readSkippingKeepAlive(); m.Type != "next" {
			t.Fatalf("want next, got %+v", m)
		}
	}
	if n := r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions(); n != 1 {
		t.Fatalf("want 1 upstream subscription running, got %d", n)
	}
	c.send(map[string]any{"id": "1", "type": "complete"})
	waitFor(t, "upstream subscription to stop", 5*time.Second, func() bool {
		return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 0
	})
}

func TestSubscription_clientDisconnectingCancelsUpstream(t *testing.T) {
	r := startRouter(t, "graphql-ws")
	c := dialWS(t, r.URL, "graphql-ws")

	c.send(map[string]any{"id": "a", "type": "start", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 1000, "ms": 20},
	}})
	if m := c.readSkippingKeepAlive(); m.Type != "data" {
		t.Fatalf("want data, got %+v", m)
	}
	_ = c.conn.CloseNow()
	waitFor(t, "upstream subscription to stop", 5*time.Second, func() bool {
		return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 0
	})
}

func TestSubscription_twoClientsEachGetTheirOwnStream(t *testing.T) {
	// Every client subscription has its own upstream subscription (subscription_resume.go),
	// so each gets the whole stream its subgraph sends it.
	r := startRouter(t, "graphql-transport-ws")
	a := dialWS(t, r.URL, "graphql-transport-ws")
	b := dialWS(t, r.URL, "graphql-ws")
	a.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": reviewAddedQuery, "variables": map[string]any{"n": 2}}})
	b.send(map[string]any{"id": "1", "type": "start", "payload": map[string]any{"query": reviewAddedQuery, "variables": map[string]any{"n": 3}}})
	for _, c := range []struct {
		client         *wsClient
		next, complete string
		events         int
	}{{a, "next", "complete", 2}, {b, "data", "complete", 3}} {
		for i := 1; i <= c.events; i++ {
			m := c.client.readSkippingKeepAlive()
			if m.Type != c.next {
				t.Fatalf("want %s, got %+v", c.next, m)
			}
			assertJSON(t, reviewEvent(i), m.Payload)
		}
		if m := c.client.readSkippingKeepAlive(); m.Type != c.complete {
			t.Fatalf("want complete, got %+v", m)
		}
	}
}

func TestSubscription_outlivesTheSubgraphFetchTimeout(t *testing.T) {
	// The fetch timeout must not cut an upstream WebSocket that lives longer.
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.SubgraphTimeout = 300 * time.Millisecond })
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 4, "ms": 200},
	}})
	for i := 1; i <= 4; i++ {
		m := c.readSkippingKeepAlive()
		if m.Type != "next" {
			t.Fatalf("event %d: want next, got %+v (%s)", i, m, m.Payload)
		}
		assertJSON(t, reviewEvent(i), m.Payload)
	}
	if m := c.readSkippingKeepAlive(); m.Type != "complete" {
		t.Fatalf("want complete, got %+v", m)
	}
}

func TestSubscription_invalidOperationGetsAnErrorMessage(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `subscription { reviewAdded(upc: "top-1", count: 1) { nope } }`}})
	m := c.readSkippingKeepAlive()
	if m.Type != "error" || m.ID != "1" {
		t.Fatalf("want error, got %+v (%s)", m, m.Payload)
	}
	var errs []struct{ Message string }
	if err := json.Unmarshal(m.Payload, &errs); err != nil || len(errs) == 0 {
		t.Fatalf("error payload: %s", m.Payload)
	}
}
