package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

func TestSubscriptions_withResubscribingOffWhenTheSubgraphRestartsTheRunningSubscriptionEndsAndANewOneReachesTheRestartedSubgraph(t *testing.T) {
	forEachUpstreamProtocol(t, func(t *testing.T, upstream string) {
		r := startRouter(t, upstream, func(c *config.Config) { c.Subscriptions.ResubscribeTimeout = 0 })
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
	})
}

func TestSubscriptions_whenTheSubgraphIsKilledTheClientGetsSubgraphUnavailableNamingItBeforeComplete(t *testing.T) {
	forEachUpstreamProtocol(t, func(t *testing.T, upstream string) {
		for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
			t.Run(proto, func(t *testing.T) {
				// Resubscribing gives up after half a second: the subgraph stays down.
				r := startRouter(t, upstream, func(c *config.Config) { c.Subscriptions.ResubscribeTimeout = 500 * time.Millisecond })
				c := dialWS(t, r.URL, proto)
				start, data := "subscribe", "next"
				if proto == "graphql-ws" {
					start, data = "start", "data"
				}
				c.send(map[string]any{"id": "1", "type": start, "payload": map[string]any{
					"query": `subscription { reviewAdded(upc: "top-1", count: 1000, intervalMs: 50) { body } }`,
				}})
				if m := c.readSkippingKeepAlive(); m.Type != data {
					t.Fatalf("want %s, got %+v", data, m)
				}
				r.Subgraphs.KillReviews()
				var last wsMessage
				for {
					last = c.readSkippingKeepAlive()
					if last.Type != data || strings.Contains(string(last.Payload), "errors") {
						break
					}
				}
				if last.Type != data || !strings.Contains(string(last.Payload), `"code":"SUBGRAPH_UNAVAILABLE"`) ||
					!strings.Contains(string(last.Payload), `"subgraph":"reviews"`) {
					t.Fatalf("want an error naming reviews, got %+v %s", last, last.Payload)
				}
				if m := c.readSkippingKeepAlive(); m.Type != "complete" {
					t.Fatalf("want complete after the error, got %+v %s", m, m.Payload)
				}
			})
		}
	})
}

func TestSubscriptions_whenTheSubgraphRestartsTheRouterResubscribesAndTheStreamGoesOn(t *testing.T) {
	forEachUpstreamProtocol(t, func(t *testing.T, upstream string) {
		r := startRouter(t, upstream)
		c := dialWS(t, r.URL, "graphql-transport-ws")
		c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription { reviewAdded(upc: "top-1", count: 1000, intervalMs: 50) { body } }`,
		}})
		if m := c.readSkippingKeepAlive(); m.Type != "next" {
			t.Fatalf("want next, got %+v", m)
		}
		r.Subgraphs.RestartReviews(t)
		restarted := time.Now()
		// reviewAdded has no resumption argument: the new upstream subscription starts over,
		// on the same client stream, with no error and no complete.
		for events := 0; events < 5; {
			m := c.readSkippingKeepAlive()
			if m.Type != "next" || strings.Contains(string(m.Payload), "errors") {
				t.Fatalf("the stream did not survive the restart: %+v %s", m, m.Payload)
			}
			if time.Since(restarted) > 300*time.Millisecond {
				events++
			}
		}
	})
}

// forEachUpstreamProtocol runs test once per way the router subscribes upstream: one
// WebSocket per subscription, and SSE streams multiplexed on HTTP/2.
func forEachUpstreamProtocol(t *testing.T, test func(t *testing.T, upstream string)) {
	for _, upstream := range []string{"graphql-transport-ws", "sse"} {
		t.Run("upstream "+upstream, func(t *testing.T) { test(t, upstream) })
	}
}
