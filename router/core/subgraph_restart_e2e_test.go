package core_test

import (
	"strings"
	"testing"
)

func TestSubscriptions_whenTheSubgraphRestartsTheRunningSubscriptionEndsAndANewOneReachesTheRestartedSubgraph(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { reviewAdded(upc: "top-1", count: 1000, intervalMs: 50) { body } }`,
	}})
	if m := c.readSkippingKeepAlive(); m.Type != "next" {
		t.Fatalf("want next, got %+v", m)
	}
	r.Subgraphs.RestartReviews(t)
	var end wsMessage
	for {
		end = c.readSkippingKeepAlive()
		if end.Type != "next" || strings.Contains(string(end.Payload), "errors") {
			break
		}
	}
	// The engine ends the subscription when its upstream connection drops: the client
	// sees complete (clients resubscribe); the router does not resubscribe by itself.
	if end.Type != "complete" && end.Type != "error" && !strings.Contains(string(end.Payload), "errors") {
		t.Fatalf("after the subgraph went away: %+v %s", end, end.Payload)
	}

	c2 := dialWS(t, r.URL, "graphql-transport-ws")
	c2.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { reviewAdded(upc: "top-1", count: 2, intervalMs: 10) { body } }`,
	}})
	for i := range 2 {
		if m := c2.readSkippingKeepAlive(); m.Type != "next" || strings.Contains(string(m.Payload), "errors") {
			t.Fatalf("event %d after the restart: %+v %s", i, m, m.Payload)
		}
	}
	if m := c2.readSkippingKeepAlive(); m.Type != "complete" {
		t.Fatalf("want complete, got %+v", m)
	}
}
