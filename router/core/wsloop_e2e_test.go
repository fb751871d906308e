package core_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// rawWS is a graphql-transport-ws client without a goroutine of its own (gobwas/ws on a
// plain connection), so that a test holding thousands of them measures the router, not
// its clients.
type rawWS struct {
	conn net.Conn
	br   *bufio.Reader
}

// dialRawWS opens a graphql-transport-ws connection and completes connection_init. A
// positive rcvbuf sets the client socket's SO_RCVBUF (a client that reads slowly).
func dialRawWS(ctx context.Context, httpURL string, rcvbuf int) (*rawWS, error) {
	d := ws.Dialer{Protocols: []string{"graphql-transport-ws"}, Timeout: 10 * time.Second}
	if rcvbuf > 0 {
		nd := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf) })
			return errors.Join(err, serr)
		}}
		d.NetDial = nd.DialContext
	}
	conn, br, _, err := d.Dial(ctx, "ws"+strings.TrimPrefix(httpURL, "http"))
	if err != nil {
		return nil, err
	}
	if br == nil {
		br = bufio.NewReaderSize(conn, 512)
	}
	c := &rawWS{conn: conn, br: br}
	if err := c.send(map[string]any{"type": "connection_init", "payload": map[string]any{}}); err != nil {
		return nil, err
	}
	if m, err := c.read(); err != nil || m.Type != "connection_ack" {
		return nil, fmt.Errorf("want connection_ack, got %+v, %v", m, err)
	}
	return c, nil
}

func (c *rawWS) send(msg any) error {
	b, _ := json.Marshal(msg)
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return wsutil.WriteClientText(c.conn, b)
}

// read returns the next message, skipping keep-alives; a close frame is a
// wsutil.ClosedError.
func (c *rawWS) read() (wsMessage, error) {
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		b, err := wsutil.ReadServerText(readWriter{c.br, c.conn})
		if err != nil {
			return wsMessage{}, err
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return wsMessage{}, err
		}
		if m.Type == "pong" || m.Type == "ping" {
			continue
		}
		return m, nil
	}
}

// getQuietly GETs url from any goroutine.
func getQuietly(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

type readWriter struct {
	*bufio.Reader
	net.Conn
}

func (rw readWriter) Read(p []byte) (int, error) { return rw.Reader.Read(p) }

func withEventLoop(queue, sndbuf int) routerOption {
	return func(c *config.Config) {
		c.Connections.WebSocketEventLoop = true
		c.Connections.WebSocketSendQueueBytes = queue
		c.Connections.WebSocketSocketSendBuffer = sndbuf
		c.Subscriptions.ShareIdenticalUpstream = true
	}
}

const fastEventsQuery = `subscription S($n: Int!, $ms: Int) { reviewAdded(upc: "top-1", count: $n, intervalMs: $ms) { body } }`

// TestWebSocketEventLoop_aSlowClientIsClosedWith1008WhileAFastOneGetsEveryEvent: two
// clients on one shared upstream stream; one stops reading. Its outgoing queue fills, it
// is closed with 1008 and counted, and the other client's stream goes on to complete.
func TestWebSocketEventLoop_aSlowClientIsClosedWith1008WhileAFastOneGetsEveryEvent(t *testing.T) {
	// fanout: reviewAdded in share_latest, both clients on one engine subscription
	// (core/subscription_fanout.go), each event rendered once for both.
	for _, fanout := range []bool{false, true} {
		t.Run(fmt.Sprintf("fanout=%v", fanout), func(t *testing.T) {
			opts := []routerOption{withEventLoop(16<<10, 4096)}
			if fanout {
				opts = append(opts, withFanout(true))
			}
			slowClientClosedFastOneServed(t, startRouter(t, "graphql-transport-ws", opts...))
		})
	}
}

func slowClientClosedFastOneServed(t *testing.T, r *testRouter) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const events = 4000
	vars := map[string]any{"n": events, "ms": 1}

	slow, err := dialRawWS(ctx, r.URL, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.conn.Close()
	if err := slow.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": fastEventsQuery, "variables": vars}}); err != nil {
		t.Fatal(err)
	}
	if m, err := slow.read(); err != nil || m.Type != "next" {
		t.Fatalf("slow client: want a first next, got %+v, %v", m, err)
	}
	// From here on the slow client reads nothing until the router has judged it slow;
	// then it reads what was under way, up to the close frame.
	slowEnd := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			if _, metrics, _ := getQuietly(r.Base + "/metrics"); strings.Contains(metrics, "router_websocket_slow_consumers_total 1") {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		for {
			if _, err := slow.read(); err != nil {
				slowEnd <- err
				return
			}
		}
	}()

	fast := dialWS(t, r.URL, "graphql-transport-ws")
	fast.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": fastEventsQuery, "variables": vars}})
	last, got := 0, 0
	for {
		m := fast.readSkippingKeepAlive()
		if m.Type == "complete" {
			break
		}
		if m.Type != "next" {
			t.Fatalf("fast client: want next or complete, got %+v (%s)", m, m.Payload)
		}
		var p struct {
			Data struct {
				ReviewAdded struct{ Body string } `json:"reviewAdded"`
			} `json:"data"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		var n int
		if _, err := fmt.Sscanf(p.Data.ReviewAdded.Body, "event %d", &n); err != nil {
			t.Fatalf("fast client: unexpected event %s", m.Payload)
		}
		if last != 0 && n != last+1 {
			t.Fatalf("fast client: event %d after %d: events were lost", n, last)
		}
		last = n
		got++
	}
	if last != events {
		t.Fatalf("fast client: last event %d, want %d (%d events)", last, events, got)
	}

	var closed wsutil.ClosedError
	if err := <-slowEnd; !errors.As(err, &closed) {
		t.Fatalf("slow client: want a close frame, got %v", err)
	}
	if closed.Code != 1008 || !strings.Contains(closed.Reason, "slow consumer") {
		t.Fatalf("slow client: closed with %d %q, want 1008 slow consumer", closed.Code, closed.Reason)
	}
	_, metrics, _ := get(t, r.Base+"/metrics", nil)
	if !strings.Contains(metrics, "router_websocket_slow_consumers_total 1") {
		t.Fatalf("/metrics lacks router_websocket_slow_consumers_total 1:\n%s", grepLines(metrics, "router_websocket_slow"))
	}
}

// TestWebSocketEventLoop_idleConnectionsHoldNoGoroutine: 500 connections past
// connection_init, then subscribed on one shared stream, cost the router no goroutine per
// connection (the goroutine-per-connection path held about four each): what remains per
// subscriber is the engine's own per-subscription worker.
func TestWebSocketEventLoop_idleConnectionsHoldNoGoroutine(t *testing.T) {
	const conns = 500
	r := startRouter(t, "graphql-transport-ws", withEventLoop(0, 0))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	settle := func() int {
		runtime.GC()
		time.Sleep(200 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	before := settle()
	clients := make([]*rawWS, 0, conns)
	defer func() {
		for _, c := range clients {
			_ = c.conn.Close()
		}
	}()
	for range conns {
		c, err := dialRawWS(ctx, r.URL, 0)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	idle := settle() - before
	t.Logf("%d idle connections: %d more goroutines", conns, idle)
	if idle > conns/10 {
		t.Fatalf("%d idle connections hold %d goroutines, want fewer than %d", conns, idle, conns/10)
	}

	for _, c := range clients {
		if err := c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": fastEventsQuery, "variables": map[string]any{"n": 1000, "ms": 3_600_000},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	// One shared upstream stream whose first event went out before most joined: wait
	// until every subscription runs.
	waitFor(t, "every subscription to run", time.Minute, func() bool {
		_, metrics, _ := get(t, r.Base+"/metrics", nil)
		return strings.Contains(metrics, fmt.Sprintf(`router_active_subscriptions{transport="graphql-transport-ws"} %d`, conns))
	})
	subscribed := settle() - before
	perConn := float64(subscribed) / conns
	t.Logf("%d subscribed connections: %d more goroutines (%.2f each)", conns, subscribed, perConn)
	// Per subscription graphql-go-tools' resolver runs a worker; the router's side waits
	// on no goroutine (subscription_async.go: the goroutine-per-connection path also keeps
	// one blocked in the engine's Execute). Nothing per connection.
	if perConn > 1.2 {
		t.Fatalf("%d subscribed connections hold %.2f goroutines each, want at most 1.2", conns, perConn)
	}
}
