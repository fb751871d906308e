package core_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	platformconfig "github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/telemetry"
)

func TestTracing_theUpstreamWebSocketUpgradeContinuesTheSubscriptionsTrace(t *testing.T) {
	tel, err := telemetry.Setup(context.Background(), "router-test", platformconfig.Telemetry{SampleRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	forEachUpstreamProtocol(t, func(t *testing.T, upstream string) {
		r := startRouter(t, upstream)

		const traceID = "5bf92f3577b34da6a3ce929d0e0e4737"
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, _, err := websocket.Dial(ctx, "ws"+r.URL[len("http"):], &websocket.DialOptions{
			Subprotocols: []string{"graphql-transport-ws"},
			HTTPHeader:   http.Header{"traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.CloseNow() })
		c := &wsClient{t: t, conn: conn}
		c.send(map[string]any{"type": "connection_init", "payload": map[string]any{}})
		if m := c.readSkippingKeepAlive(); m.Type != "connection_ack" {
			t.Fatalf("want connection_ack, got %+v", m)
		}
		c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `subscription { reviewAdded(upc: "top-1", count: 1) { body } }`}})
		if m := c.readSkippingKeepAlive(); m.Type != "next" {
			t.Fatalf("want next, got %+v %s", m, m.Payload)
		}
		got := r.Subgraphs.ReviewsHeaders.Last()
		if upstream == "sse" && !strings.Contains(got.Get("Accept"), "text/event-stream") {
			t.Fatalf("the last request to reviews was not the SSE stream: %v", got)
		}
		if upstream != "sse" && got.Get("Upgrade") == "" {
			t.Fatalf("the last request to reviews was not the WebSocket upgrade: %v", got)
		}
		tp := regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-01$`).FindStringSubmatch(got.Get("traceparent"))
		if tp == nil || tp[1] != traceID {
			t.Fatalf("the upgrade's traceparent %q does not continue trace %s", got.Get("traceparent"), traceID)
		}
		if tp[2] == "00f067aa0ba902b7" {
			t.Fatalf("the subgraph's parent is the client's span: the router's operation span is missing")
		}
	})
}
