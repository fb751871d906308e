package core_test

import (
	"bytes"
	"context"
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

	"github.com/dizhtime/dizhtime/router/core"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs"
	"github.com/dizhtime/dizhtime/router/pkg/compose"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// syncBuffer is a log sink the router and the test use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type reloadingRouter struct {
	*testRouter
	dir  string
	logs *syncBuffer
}

// startReloadingRouter serves the test subgraphs from committed-style SDL files in a
// temporary directory, watching them.
func startReloadingRouter(t *testing.T, tune ...func(*config.Config)) *reloadingRouter {
	t.Helper()
	subgraphs := testsubgraphs.Start(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var yaml strings.Builder
	yaml.WriteString("subgraphs:\n")
	for name, srv := range map[string]*httptest.Server{"accounts": subgraphs.Accounts, "products": subgraphs.Products, "reviews": subgraphs.Reviews} {
		sdl, err := compose.FetchSDL(ctx, http.DefaultClient, srv.URL+"/query")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".graphqls"), []byte(sdl), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&yaml, "  - name: %s\n    routing_url: %s/query\n    schema: {file: %s.graphqls}\n", name, srv.URL, name)
		if name == "reviews" {
			fmt.Fprintf(&yaml, "    subscription: {url: ws%s/query, protocol: graphql-transport-ws}\n", strings.TrimPrefix(srv.URL, "http"))
		}
	}
	path := filepath.Join(dir, "supergraph.yaml")
	if err := os.WriteFile(path, []byte(yaml.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sg, err := config.LoadSupergraph(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.SupergraphFile = path
	cfg.HotReload.PollInterval = 50 * time.Millisecond
	for _, f := range tune {
		f(&cfg)
	}
	logs := &syncBuffer{}
	r, err := core.NewRouter(cfg, sg, core.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Compose(ctx); err != nil {
		t.Fatal(err)
	}
	watchCtx, stop := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { _ = r.Watch(watchCtx); close(watched) }()
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() {
		stop()
		<-watched
		srv.CloseClientConnections()
		srv.Close()
		r.Close()
	})
	return &reloadingRouter{
		testRouter: &testRouter{URL: srv.URL + cfg.GraphQLPath, Base: srv.URL, Subgraphs: subgraphs, Router: r},
		dir:        dir,
		logs:       logs,
	}
}

func (r *reloadingRouter) editSDL(t *testing.T, name string, edit func(string) string) {
	t.Helper()
	path := filepath.Join(r.dir, name+".graphqls")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHotReload_aChangedSDLIsServedWithoutDroppingARunningSubscription(t *testing.T) {
	r := startReloadingRouter(t)
	before := r.Router.Engines().Load()

	// A subscription running across the swap finishes on the engine it started with.
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 4, "ms": 150},
	}})
	if m := c.readSkippingKeepAlive(); m.Type != "next" {
		t.Fatalf("want next, got %+v", m)
	}

	r.editSDL(t, "products", func(sdl string) string {
		return strings.Replace(sdl, "topProducts(", "\"Best sellers first.\"\n  topProducts(", 1)
	})
	waitFor(t, "the new supergraph", 10*time.Second, func() bool { return r.Router.Engines().Load() != before })
	res := r.post(t, `{ __type(name: "Query") { fields { name description } } }`, nil)
	if !strings.Contains(string(res.Data), "Best sellers first.") {
		t.Fatalf("the new SDL is not served: %s", res.Body)
	}

	for i := 2; i <= 4; i++ {
		m := c.readSkippingKeepAlive()
		if m.Type != "next" {
			t.Fatalf("event %d after the swap: %+v (%s)", i, m, m.Payload)
		}
		assertJSON(t, reviewEvent(i), m.Payload)
	}
	if m := c.readSkippingKeepAlive(); m.Type != "complete" {
		t.Fatalf("want complete, got %+v", m)
	}
}

func TestHotReload_aBrokenSDLKeepsTheOldGraphAndLogsTheSubgraphTypeAndField(t *testing.T) {
	r := startReloadingRouter(t)
	before := r.Router.Engines().Load()

	// reviews' Product.price is @external with type Int!; products now says String!.
	r.editSDL(t, "products", func(sdl string) string {
		return strings.Replace(sdl, "price: Int!", "price: String!", 1)
	})
	defer func() {
		if t.Failed() {
			t.Log(r.logs.String())
		}
	}()
	waitFor(t, "the failed recomposition to be logged", 10*time.Second, func() bool {
		return strings.Contains(r.logs.String(), "recomposition failed")
	})
	logs := r.logs.String()
	for _, want := range []string{"Product.price", "products"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not name %s:\n%s", want, logs)
		}
	}
	if r.Router.Engines().Load() != before {
		t.Fatal("a failed recomposition replaced the engine")
	}
	res := r.post(t, `{ topProducts(first: 1) { name price } }`, nil)
	assertJSON(t, `{"topProducts":[{"name":"Trilby","price":11}]}`, res.Data)
}

func TestHotReload_anEditThatComposesTheSameInputsKeepsTheEngineAndItsSubscriptions(t *testing.T) {
	r := startReloadingRouter(t, func(c *config.Config) { c.ShutdownTimeout = 300 * time.Millisecond })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("router log:\n%s", r.logs.String())
		}
	})
	before := r.Router.Engines().Load()
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 8, "ms": 150},
	}})
	if m := c.readSkippingKeepAlive(); m.Type != "next" {
		t.Fatalf("want next, got %+v", m)
	}

	// A comment in supergraph.yaml: the file changed, the graph did not.
	path := filepath.Join(r.dir, "supergraph.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append([]byte("# reviewed\n"), b...), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reload to be logged", 10*time.Second, func() bool {
		return strings.Contains(r.logs.String(), "supergraph unchanged")
	})
	if r.Router.Engines().Load() != before {
		t.Fatal("an unchanged supergraph replaced the engine")
	}
	// Well past the shutdown timeout a retired engine would have been closed after.
	for i := 2; i <= 8; i++ {
		m := c.readSkippingKeepAlive()
		if m.Type != "next" {
			t.Fatalf("event %d after the reload: %+v (%s)", i, m, m.Payload)
		}
		assertJSON(t, reviewEvent(i), m.Payload)
	}
	if m := c.readSkippingKeepAlive(); m.Type != "complete" {
		t.Fatalf("want complete, got %+v", m)
	}
}

func TestHotReload_withResubscribingOffASubscriptionOutlivingItsReplacedEngineEndsWithSUPERGRAPH_RELOADED(t *testing.T) {
	r := startReloadingRouter(t, func(c *config.Config) {
		c.ShutdownTimeout = 300 * time.Millisecond
		c.Subscriptions.ResubscribeTimeout = 0
	})
	before := r.Router.Engines().Load()
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 1000, "ms": 100},
	}})
	if m := c.readSkippingKeepAlive(); m.Type != "next" {
		t.Fatalf("want next, got %+v", m)
	}
	r.editSDL(t, "products", func(sdl string) string {
		return strings.Replace(sdl, "topProducts(", "\"Best sellers first.\"\n  topProducts(", 1)
	})
	waitFor(t, "the new supergraph", 10*time.Second, func() bool { return r.Router.Engines().Load() != before })
	for {
		m := c.readSkippingKeepAlive()
		if m.Type == "next" && !strings.Contains(string(m.Payload), `"errors"`) {
			continue // events before the old engine is closed
		}
		if m.Type != "next" || !strings.Contains(string(m.Payload), `"code":"SUPERGRAPH_RELOADED"`) {
			t.Fatalf("want a SUPERGRAPH_RELOADED result, got %+v (%s)", m, m.Payload)
		}
		break
	}
	if m := c.readSkippingKeepAlive(); m.Type != "complete" {
		t.Fatalf("want complete, got %+v (%s)", m, m.Payload)
	}
}

func TestHotReload_aSubscriptionOutlivingItsReplacedEngineGoesOnOnTheNewEngine(t *testing.T) {
	r := startReloadingRouter(t, func(c *config.Config) { c.ShutdownTimeout = 300 * time.Millisecond })
	before := r.Router.Engines().Load()
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": reviewAddedQuery, "variables": map[string]any{"n": 1000, "ms": 50},
	}})
	if m := c.readSkippingKeepAlive(); m.Type != "next" {
		t.Fatalf("want next, got %+v", m)
	}
	r.editSDL(t, "products", func(sdl string) string {
		return strings.Replace(sdl, "topProducts(", "\"Best sellers first.\"\n  topProducts(", 1)
	})
	waitFor(t, "the new supergraph", 10*time.Second, func() bool { return r.Router.Engines().Load() != before })
	// The old engine is closed shutdown_timeout (300 ms) after the swap; events keep
	// coming well after that, from the new engine.
	deadline := time.Now().Add(time.Second)
	events := 0
	for time.Now().Before(deadline) || events < 5 {
		m := c.readSkippingKeepAlive()
		if m.Type != "next" || strings.Contains(string(m.Payload), `"errors"`) {
			t.Fatalf("the subscription did not survive the reload: %+v (%s)", m, m.Payload)
		}
		if time.Now().After(deadline) {
			events++
		}
	}
}
