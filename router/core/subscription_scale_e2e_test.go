package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/dizhtime/dizhtime/router/pkg/config"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestSubscription_twoThousandConcurrentWebSocketClientsOnOneRouter(t *testing.T) {
	const clients, distinct = 2000, 20
	// Identical subscriptions share an upstream when configured to (off by default, see
	// subscriptions.share_identical_upstream): 2,000 clients, 20 upstream streams.
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Subscriptions.ShareIdenticalUpstream = true })
	wsURL := "ws" + strings.TrimPrefix(r.URL, "http")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conns := make([]*websocket.Conn, clients)
	errs := make(chan error, clients)
	firstEvents := make(chan error, clients)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 100) // dial in waves: the listen backlog is finite
	for i := range clients {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			// A slow stream: each event is resolved per client, against two subgraphs.
			conn, err := subscribeOverWS(ctx, wsURL, 3000+i%distinct, firstEvents)
			if err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
				return
			}
			conns[i] = conn
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range conns {
			_ = c.CloseNow()
		}
	}()

	for range clients {
		select {
		case err := <-firstEvents:
			if err != nil {
				t.Fatal(err)
			}
		case <-ctx.Done():
			t.Fatal("not every client got an event in time")
		}
	}

	_, metrics, _ := get(t, r.Base+"/metrics", nil)
	if want := fmt.Sprintf(`router_active_subscriptions{transport="graphql-transport-ws"} %d`, clients); !strings.Contains(metrics, want) {
		t.Fatalf("/metrics lacks %s:\n%s", want, grepLines(metrics, "router_active_subscriptions"))
	}
	if up := r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions(); up != distinct {
		t.Fatalf("%d clients with %d distinct subscriptions hold %d upstream streams, want %d", clients, distinct, up, distinct)
	}

	for _, c := range conns {
		_ = c.CloseNow()
	}
	waitFor(t, "every upstream stream to stop after the clients left", 30*time.Second, func() bool {
		return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 0
	})
}

// subscribeOverWS subscribes to a long review stream; firstEvents gets nil when the
// first event arrives (or the error that came instead).
func subscribeOverWS(ctx context.Context, url string, intervalMs int, firstEvents chan<- error) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	write := func(v any) error {
		b, _ := json.Marshal(v)
		return conn.Write(ctx, websocket.MessageText, b)
	}
	read := func() (wsMessage, error) {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return wsMessage{}, err
			}
			var m wsMessage
			if err := json.Unmarshal(b, &m); err != nil {
				return m, err
			}
			if m.Type != "ping" && m.Type != "pong" {
				return m, nil
			}
		}
	}
	if err := write(map[string]any{"type": "connection_init"}); err != nil {
		return nil, err
	}
	if m, err := read(); err != nil || m.Type != "connection_ack" {
		return nil, fmt.Errorf("want connection_ack, got %+v, %v", m, err)
	}
	if err := write(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 100000, "ms": intervalMs},
	}}); err != nil {
		return nil, err
	}
	// Keep reading in the background so the router never blocks on this client; the
	// first message must be an event.
	go func() {
		first := true
		for {
			m, err := read()
			if first {
				if err == nil && m.Type != "next" {
					err = fmt.Errorf("want next, got %+v", m)
				}
				firstEvents <- err
				first = false
			}
			if err != nil {
				return
			}
		}
	}()
	return conn, nil
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
