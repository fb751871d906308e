// Package ticker is a minimal hand-written subgraph for subscription resumption tests:
// a log of ticks (1, 2, 3, ...) that grows on its own, whatever happens to the server,
// and `ticks(since:)`, which replays every tick after since and then follows the log,
// over graphql-transport-ws. Restart cuts every connection and serves again on the same
// address after a pause, as a redeploy would, while the log keeps growing.
package ticker

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// SDL is the subgraph's schema, also answered to `_service { sdl }`.
const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
type Query {
  lastTick: Int!
}
type Subscription {
  "Every tick after since (omitted: from the next one), in order."
  ticks(since: Int): Tick!
}
type Tick {
  seq: Int!
}
`

// Ticker is the subgraph.
type Ticker struct {
	mu    sync.Mutex
	cond  *sync.Cond
	last  int
	addr  string
	srv   *http.Server
	conns map[*websocket.Conn]bool
	stop  chan struct{}
	sdl   string
}

// SetSDL changes the SDL answered to `_service { sdl }` (a redeploy with a new schema).
func (tk *Ticker) SetSDL(sdl string) {
	tk.mu.Lock()
	tk.sdl = sdl
	tk.mu.Unlock()
}

// Start serves the ticker on a loopback port; a tick is appended every interval.
func Start(t testing.TB, interval time.Duration) *Ticker {
	t.Helper()
	tk := &Ticker{conns: map[*websocket.Conn]bool{}, stop: make(chan struct{}), sdl: SDL}
	tk.cond = sync.NewCond(&tk.mu)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tk.addr = ln.Addr().String()
	tk.serve(ln)
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-tk.stop:
				return
			case <-tick.C:
				tk.mu.Lock()
				tk.last++
				tk.cond.Broadcast()
				tk.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		close(tk.stop)
		tk.kill()
		tk.mu.Lock()
		tk.cond.Broadcast()
		tk.mu.Unlock()
	})
	return tk
}

// URL is the subgraph's HTTP endpoint; WSURL its WebSocket one.
func (tk *Ticker) URL() string   { return "http://" + tk.addr + "/query" }
func (tk *Ticker) WSURL() string { return "ws://" + tk.addr + "/query" }

// Last is the newest tick.
func (tk *Ticker) Last() int {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return tk.last
}

// Restart cuts every connection, stays down for down, then serves again on the same
// address.
func (tk *Ticker) Restart(t testing.TB, down time.Duration) {
	t.Helper()
	tk.kill()
	time.Sleep(down)
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", tk.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("ticker: listen again on %s: %v", tk.addr, err)
	}
	tk.serve(ln)
}

func (tk *Ticker) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(tk.handle)}
	tk.mu.Lock()
	tk.srv = srv
	tk.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

func (tk *Ticker) kill() {
	tk.mu.Lock()
	srv := tk.srv
	conns := tk.conns
	tk.conns = map[*websocket.Conn]bool{}
	tk.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	for c := range conns {
		_ = c.CloseNow()
	}
	tk.mu.Lock()
	tk.cond.Broadcast() // wake streams so they notice their connection is gone
	tk.mu.Unlock()
}

func (tk *Ticker) handle(w http.ResponseWriter, r *http.Request) {
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		tk.handleWS(w, r)
		return
	}
	var req struct {
		Query string `json:"query"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.Contains(req.Query, "_service"):
		tk.mu.Lock()
		sdl := tk.sdl
		tk.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"_service": map[string]any{"sdl": sdl}}})
	default:
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"__typename": "Query", "lastTick": tk.Last()}})
	}
}

type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (tk *Ticker) handleWS(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return
	}
	tk.mu.Lock()
	tk.conns[conn] = true
	tk.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer conn.CloseNow()
	var wmu sync.Mutex
	send := func(m message) error {
		b, _ := json.Marshal(m)
		wmu.Lock()
		defer wmu.Unlock()
		return conn.Write(ctx, websocket.MessageText, b)
	}
	streams := map[string]context.CancelFunc{}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var m message
		if json.Unmarshal(data, &m) != nil {
			return
		}
		switch m.Type {
		case "connection_init":
			_ = send(message{Type: "connection_ack"})
		case "ping":
			_ = send(message{Type: "pong"})
		case "complete":
			if c := streams[m.ID]; c != nil {
				c()
			}
		case "subscribe":
			since, ok := sinceOf(m.Payload)
			if !ok {
				since = tk.Last()
			}
			sctx, scancel := context.WithCancel(ctx)
			streams[m.ID] = scancel
			go tk.stream(sctx, m.ID, since, send)
		}
	}
}

// stream sends every tick after since until ctx ends.
func (tk *Ticker) stream(ctx context.Context, id string, since int, send func(message) error) {
	stop := context.AfterFunc(ctx, func() {
		tk.mu.Lock()
		tk.cond.Broadcast()
		tk.mu.Unlock()
	})
	defer stop()
	next := since + 1
	for {
		tk.mu.Lock()
		for tk.last < next && ctx.Err() == nil {
			tk.cond.Wait()
		}
		last := tk.last
		tk.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		for ; next <= last; next++ {
			payload, _ := json.Marshal(map[string]any{"data": map[string]any{"ticks": map[string]any{"seq": next}}})
			if send(message{ID: id, Type: "next", Payload: payload}) != nil {
				return
			}
		}
	}
}

// sinceOf reads ticks' since argument from a subscribe payload (a literal or a variable).
func sinceOf(payload json.RawMessage) (int, bool) {
	var p struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return 0, false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: p.Query})
	if err != nil || len(doc.Operations) == 0 {
		return 0, false
	}
	for _, sel := range doc.Operations[0].SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok || f.Name != "ticks" {
			continue
		}
		a := f.Arguments.ForName("since")
		if a == nil || a.Value == nil {
			return 0, false
		}
		switch a.Value.Kind {
		case ast.IntValue:
			var n int
			if json.Unmarshal([]byte(a.Value.Raw), &n) == nil {
				return n, true
			}
		case ast.Variable:
			if n, ok := p.Variables[a.Value.Raw].(float64); ok {
				return int(n), true
			}
		}
	}
	return 0, false
}
