package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/dizhtime/dizhtime/router/core"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

type testRouter struct {
	URL       string // http://127.0.0.1:PORT/graphql
	Base      string // http://127.0.0.1:PORT
	Subgraphs *testsubgraphs.Set
	Router    *core.Router
}

type routerOption func(*config.Config)

// startRouter starts the three test subgraphs and a router in front of them, all on
// loopback ports, composing from the subgraphs' _service { sdl }.
func startRouter(t testing.TB, wsProtocol string, opts ...routerOption) *testRouter {
	t.Helper()
	subgraphs := testsubgraphs.Start(t)
	sg, err := config.LoadSupergraph(subgraphs.SupergraphYAML(t, t.TempDir(), wsProtocol))
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	for _, o := range opts {
		o(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(&testLogWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	r, err := core.NewRouter(cfg, sg, core.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := r.Compose(ctx); err != nil {
		t.Fatalf("compose: %v", err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		r.Close()
	})
	return &testRouter{URL: srv.URL + cfg.GraphQLPath, Base: srv.URL, Subgraphs: subgraphs, Router: r}
}

type testLogWriter struct{ t testing.TB }

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type gqlResponse struct {
	Status int
	Body   string
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r *testRouter) post(t *testing.T, query string, variables map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	resp, err := http.Post(r.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return readResponse(t, resp)
}

func readResponse(t *testing.T, resp *http.Response) gqlResponse {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := gqlResponse{Status: resp.StatusCode, Body: string(raw)}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, raw)
	}
	return out
}

// assertJSON compares JSON documents ignoring formatting.
func assertJSON(t testing.TB, want string, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("bad got JSON: %v: %s", err, got)
	}
	wb, _ := json.Marshal(w)
	gb, _ := json.Marshal(g)
	if !bytes.Equal(wb, gb) {
		t.Fatalf("JSON mismatch\nwant: %s\n got: %s", wb, gb)
	}
}

// wsClient is a GraphQL WebSocket client speaking either subprotocol.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
}

func dialWS(t testing.TB, httpURL, subprotocol string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(httpURL, "http")
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{subprotocol}})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != subprotocol {
		t.Fatalf("router chose subprotocol %q, want %q", got, subprotocol)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &wsClient{t: t, conn: conn}
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{}})
	if msg := c.readSkippingKeepAlive(); msg.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", msg)
	}
	return c
}

type wsMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func (c *wsClient) send(msg any) {
	c.t.Helper()
	b, _ := json.Marshal(msg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("ws write: %v", err)
	}
}

func (c *wsClient) read() wsMessage {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.conn.Read(ctx)
	if err != nil {
		c.t.Fatalf("ws read: %v", err)
	}
	var m wsMessage
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("ws message is not JSON: %s", b)
	}
	return m
}

// readSkippingKeepAlive skips ping/pong and legacy "ka" messages.
func (c *wsClient) readSkippingKeepAlive() wsMessage {
	c.t.Helper()
	for {
		m := c.read()
		switch m.Type {
		case "ka", "ping", "pong":
			continue
		}
		return m
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
