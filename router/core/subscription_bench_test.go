package core_test

import (
	"testing"
)

// BenchmarkSubscription_eventsThroughTheRouter streams reviewAdded events as fast as the
// reviews subgraph emits them (intervalMs 0) through the router over graphql-transport-ws,
// each event completed with author and product fields from two other subgraphs. It reports
// events per second for one subscription: the rate a live dashboard can follow.
func BenchmarkSubscription_eventsThroughTheRouter(b *testing.B) {
	r := startRouter(b, "graphql-transport-ws")
	c := dialWS(b, r.URL, "graphql-transport-ws")
	const perSubscription = 200
	b.ResetTimer()
	events := 0
	for i := 0; b.Loop(); i++ {
		id := string(rune('a' + i%26))
		c.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{
			"query": reviewAddedQuery, "variables": map[string]any{"n": perSubscription, "ms": 0},
		}})
		for {
			m := c.readSkippingKeepAlive()
			if m.Type == "complete" {
				break
			}
			if m.Type != "next" {
				b.Fatalf("want next or complete, got %+v (%s)", m, m.Payload)
			}
			events++
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
