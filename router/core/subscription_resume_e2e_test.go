package core_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/dizhtime/dizhtime/router/core"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/ticker"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// startTickerRouter runs a router over the ticker subgraph (SDL from _service { sdl }),
// resuming ticks(since:) by seq.
func startTickerRouter(t *testing.T, tk *ticker.Ticker, opts ...routerOption) string {
	t.Helper()
	endpoint, _ := startTickerRouterWith(t, tk, opts...)
	return endpoint
}

func startTickerRouterWith(t *testing.T, tk *ticker.Ticker, opts ...routerOption) (string, *core.Router) {
	t.Helper()
	dir := t.TempDir()
	yaml := fmt.Sprintf("subgraphs:\n  - name: ticker\n    routing_url: %s\n    subscription: {url: %s, protocol: graphql-transport-ws}\n", tk.URL(), tk.WSURL())
	path := filepath.Join(dir, "supergraph.yaml")
	_ = os.WriteFile(path, []byte(yaml), 0o644)
	sg, err := config.LoadSupergraph(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.CompositionCacheDir = ""
	cfg.Subscriptions.ResubscribeTimeout = 20 * time.Second
	cfg.Subscriptions.Resume = []string{"ticks(since)=seq"}
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
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close(); r.Close() })
	return srv.URL + cfg.GraphQLPath, r
}

func TestHotReload_refetchesSDLsThatComeFrom_service(t *testing.T) {
	tk := ticker.Start(t, 50*time.Millisecond)
	endpoint, r := startTickerRouterWith(t, tk, func(c *config.Config) {
		c.SupergraphFile = ""
		c.HotReload.SDLPollInterval = 200 * time.Millisecond
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = r.Watch(ctx) }()
	tr := &testRouter{URL: endpoint}
	fields := func() string {
		return string(tr.post(t, `{ __type(name: "Query") { fields { name } } }`, nil).Data)
	}
	if strings.Contains(fields(), "uptime") {
		t.Fatal("uptime before the subgraph has it")
	}
	// No file changes: only the subgraph's _service { sdl } does.
	tk.SetSDL(strings.Replace(ticker.SDL, "lastTick: Int!", "lastTick: Int!\n  uptime: Int!", 1))
	waitFor(t, "the new field in the served schema", 10*time.Second, func() bool { return strings.Contains(fields(), "uptime") })
}

// tickClient is one subscriber, recording every seq it receives and any error.
type tickClient struct {
	mu     sync.Mutex
	seqs   []int
	errors []string
	ended  bool
}

func (c *tickClient) record(payload []byte) {
	var res struct {
		Data struct {
			Ticks struct {
				Seq int `json:"seq"`
			} `json:"ticks"`
		} `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	_ = json.Unmarshal(payload, &res)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(res.Errors) > 0 {
		c.errors = append(c.errors, string(payload))
		return
	}
	c.seqs = append(c.seqs, res.Data.Ticks.Seq)
}

func (c *tickClient) snapshot() ([]int, []string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.seqs...), append([]string(nil), c.errors...), c.ended
}

const ticksSubscription = `subscription { ticks { seq } }`

func subscribeTicks(t *testing.T, ctx context.Context, endpoint, transport string) *tickClient {
	t.Helper()
	c := &tickClient{}
	switch transport {
	case "graphql-transport-ws", "graphql-ws":
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(endpoint, "http"), &websocket.DialOptions{Subprotocols: []string{transport}})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		conn.SetReadLimit(1 << 20)
		write := func(m map[string]any) {
			b, _ := json.Marshal(m)
			if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
				t.Errorf("ws write: %v", err)
			}
		}
		write(map[string]any{"type": "connection_init", "payload": map[string]any{}})
		start := "subscribe"
		if transport == "graphql-ws" {
			start = "start"
		}
		write(map[string]any{"id": "1", "type": start, "payload": map[string]any{"query": ticksSubscription}})
		go func() {
			defer conn.CloseNow()
			for {
				_, b, err := conn.Read(ctx)
				if err != nil {
					return
				}
				var m wsMessage
				_ = json.Unmarshal(b, &m)
				switch m.Type {
				case "next", "data":
					c.record(m.Payload)
				case "error", "complete":
					c.mu.Lock()
					c.ended = true
					c.errors = append(c.errors, m.Type+" "+string(m.Payload))
					c.mu.Unlock()
					return
				}
			}
		}()
	case "sse":
		body, _ := json.Marshal(map[string]any{"query": ticksSubscription})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "data: {"):
					c.record([]byte(strings.TrimPrefix(line, "data: ")))
				case line == "event: complete":
					c.mu.Lock()
					c.ended = true
					c.mu.Unlock()
					return
				}
			}
		}()
	}
	return c
}

// checkContiguous reports a gap or a repeat in a client's ticks.
func checkContiguous(seqs []int) error {
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			return fmt.Errorf("after %d came %d (at %d of %d)", seqs[i-1], seqs[i], i, len(seqs))
		}
	}
	return nil
}

func TestSubscriptions_aSubgraphRestartedUnder100LiveSubscriptionsLosesNoClientAndNoEvent(t *testing.T) {
	tk := ticker.Start(t, 10*time.Millisecond)
	// The 100 identical subscriptions share one upstream until the first restart (each
	// resumes on its own from its cursor after it): 100 upstreams at 100 ticks/s each is a
	// load test on 2 shared cores, not what this proves.
	endpoint := startTickerRouter(t, tk, func(c *config.Config) { c.Subscriptions.ShareIdenticalUpstream = true })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var clients []*tickClient
	for i := range 100 {
		transport := "graphql-transport-ws"
		switch i % 10 {
		case 8:
			transport = "graphql-ws"
		case 9:
			transport = "sse"
		}
		clients = append(clients, subscribeTicks(t, ctx, endpoint, transport))
	}
	waitFor(t, "every client's first tick", 20*time.Second, func() bool {
		for _, c := range clients {
			if s, _, _ := c.snapshot(); len(s) == 0 {
				return false
			}
		}
		return true
	})

	for round := range 2 {
		tk.Restart(t, 300*time.Millisecond)
		target := tk.Last() + 30 // ticks made while the subgraph was down, and after
		waitFor(t, fmt.Sprintf("every client past tick %d after restart %d", target, round+1), 30*time.Second, func() bool {
			for _, c := range clients {
				s, _, ended := c.snapshot()
				if ended || len(s) == 0 || s[len(s)-1] < target {
					return ended // an ended client fails below
				}
			}
			return true
		})
	}
	for i, c := range clients {
		seqs, errs, ended := c.snapshot()
		if ended || len(errs) > 0 {
			t.Fatalf("client %d: stream ended or carried errors: %v", i, errs)
		}
		if err := checkContiguous(seqs); err != nil {
			t.Errorf("client %d missed or repeated a tick across the restarts: %v", i, err)
		}
	}
	first, _, _ := clients[0].snapshot()
	t.Logf("100 clients, 2 restarts: client 0 got ticks %d..%d without a gap or a repeat", first[0], first[len(first)-1])
}
