package core_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// withLoop turns the WebSocket event loop on or off.
func withLoop(on bool) routerOption {
	return func(c *config.Config) { c.Connections.WebSocketEventLoop = on }
}

// TestWebSocket_routerCloseEndsEveryUpgradedConnection: a hijacked WebSocket is out of
// net/http's hands; Router.Close ends it (1001 on the event loop, the socket closed on
// the goroutine-per-connection path), its subscription stops upstream, and a WebSocket
// upgraded after Close is refused with 1001.
func TestWebSocket_routerCloseEndsEveryUpgradedConnection(t *testing.T) {
	for _, loop := range []bool{true, false} {
		t.Run(fmt.Sprintf("event_loop=%v", loop), func(t *testing.T) {
			r := startRouter(t, "graphql-transport-ws", withLoop(loop))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, err := dialRawWS(ctx, r.URL, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer c.conn.Close()
			if err := c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
				"query": reviewAddedQuery, "variables": map[string]any{"n": 100000, "ms": 50},
			}}); err != nil {
				t.Fatal(err)
			}
			if m, err := c.read(); err != nil || m.Type != "next" {
				t.Fatalf("want next, got %+v, %v", m, err)
			}

			r.Router.Close()
			var closed wsutil.ClosedError
			for {
				_, err := c.read()
				if err == nil {
					continue // events queued before the close
				}
				switch {
				case loop && !errors.As(err, &closed):
					t.Fatalf("want a close frame, got %v", err)
				case loop && closed.Code != 1001:
					t.Fatalf("closed with %d %q, want 1001", closed.Code, closed.Reason)
				case !loop && errors.As(err, &closed):
					t.Fatalf("closed with a frame %+v; the socket closes without one on this path", closed)
				case !loop && isTimeout(err):
					t.Fatalf("the connection outlived Router.Close: %v", err)
				}
				break
			}
			waitFor(t, "the upstream subscription to stop", 10*time.Second, func() bool {
				return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 0
			})

			d := ws.Dialer{Protocols: []string{"graphql-transport-ws"}, Timeout: 10 * time.Second}
			late, br, _, err := d.Dial(ctx, "ws"+strings.TrimPrefix(r.URL, "http"))
			if err != nil {
				t.Fatal(err)
			}
			defer late.Close()
			if br == nil {
				br = bufio.NewReader(late)
			}
			lc := &rawWS{conn: late, br: br}
			if _, err := lc.read(); !errors.As(err, &closed) || closed.Code != 1001 {
				t.Fatalf("a WebSocket upgraded after Close: want a 1001 close, got %v", err)
			}
		})
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestWebSocket_aMessageSentBehindTheUpgradeRequestIsAnswered: a client that writes its
// connection_init in the same packet as its upgrade request (before reading the 101)
// gets connection_ack: the bytes net/http had already buffered are read first.
func TestWebSocket_aMessageSentBehindTheUpgradeRequestIsAnswered(t *testing.T) {
	for _, loop := range []bool{true, false} {
		t.Run(fmt.Sprintf("event_loop=%v", loop), func(t *testing.T) {
			r := startRouter(t, "graphql-transport-ws", withLoop(loop))
			host := strings.TrimPrefix(r.Base, "http://")
			conn, err := net.DialTimeout("tcp", host, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
			path := strings.TrimPrefix(r.URL, r.Base)
			key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
			var packet []byte
			packet = fmt.Appendf(packet, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
				"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n", path, host, key)
			init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{}})
			frame := ws.NewTextFrame(init)
			frame = ws.MaskFrameInPlace(frame)
			var fb strings.Builder
			if err := ws.WriteFrame(&fb, frame); err != nil {
				t.Fatal(err)
			}
			packet = append(packet, fb.String()...)
			if _, err := conn.Write(packet); err != nil { // one write: both arrive together
				t.Fatal(err)
			}
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("upgrade: %s", resp.Status)
			}
			c := &rawWS{conn: conn, br: br}
			if m, err := c.read(); err != nil || m.Type != "connection_ack" {
				t.Fatalf("want connection_ack, got %+v, %v", m, err)
			}
		})
	}
}
