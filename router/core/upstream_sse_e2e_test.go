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
