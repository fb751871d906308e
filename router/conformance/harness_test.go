package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/conformance/toysubgraph"
	"github.com/dizhtime/dizhtime/router/core"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// engineLimitEnv turns on the cases the pinned engine (graphql-go-tools execution
// v1.6.0 + v2 rc.231) is known to fail; they still assert what the issue requires.
const engineLimitEnv = "DIZHTIME_CONFORMANCE_ENGINE_LIMITS"

// needsEngineFix leaves a case the pinned engine fails out of the default run, naming
// why; DIZHTIME_CONFORMANCE_ENGINE_LIMITS=1 runs it (and it fails).
func needsEngineFix(t *testing.T, why string) {
	t.Helper()
	if os.Getenv(engineLimitEnv) == "" {
		t.Skipf("NOT DONE on the pinned engine: %s (run with %s=1 to see it fail)", why, engineLimitEnv)
	}
}

type gateway struct {
	// Logs holds the router's log lines (warnings and errors).
	Logs      *logBuffer
	URL       string
	Router    *core.Router
	subgraphs map[string]*toysubgraph.Server
}

// startGateway starts the toy subgraphs and composes them behind a real router.
func startGateway(t *testing.T, subgraphs ...toysubgraph.Subgraph) *gateway {
	t.Helper()
	g, err := tryGateway(t, subgraphs...)
	if err != nil {
		t.Fatalf("compose: %v", err)
	}
	return g
}

// tryGateway is startGateway returning the composition error.
func tryGateway(t *testing.T, subgraphs ...toysubgraph.Subgraph) (*gateway, error) {
	t.Helper()
	dir := t.TempDir()
	var yaml strings.Builder
	yaml.WriteString("subgraphs:\n")
	g := &gateway{subgraphs: map[string]*toysubgraph.Server{}}
	for _, sg := range subgraphs {
		s := toysubgraph.Start(t, sg)
		g.subgraphs[sg.Name] = s
		file := filepath.Join(dir, sg.Name+".graphql")
		if err := os.WriteFile(file, []byte(sg.SDL), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&yaml, "  - name: %s\n    routing_url: %s\n    schema: {file: %s}\n", sg.Name, s.Endpoint(), file)
	}
	path := filepath.Join(dir, "supergraph.yaml")
	if err := os.WriteFile(path, []byte(yaml.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sg, err := config.LoadSupergraph(path)
	if err != nil {
		t.Fatal(err)
	}
	return g, g.serve(t, sg)
}

func (g *gateway) serve(t *testing.T, sg *config.Supergraph) error {
	cfg := config.Default()
	cfg.CompositionCacheDir = ""
	cfg.HotReload.Enabled = false
	g.Logs = &logBuffer{}
	logger := slog.New(slog.NewTextHandler(testLog{t: t, keep: g.Logs}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	r, err := core.NewRouter(cfg, sg, core.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := r.Compose(ctx); err != nil {
		r.Close()
		return err
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		r.Close()
	})
	g.URL, g.Router = srv.URL+cfg.GraphQLPath, r
	return nil
}

type testLog struct {
	t    *testing.T
	keep *logBuffer
}

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	w.keep.mu.Lock()
	w.keep.b.Write(p)
	w.keep.mu.Unlock()
	return len(p), nil
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type result struct {
	Status int
	Body   string
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	// Sent is what each subgraph was sent for this operation, by name.
	Sent map[string][]string
}

func (g *gateway) query(t *testing.T, query string, variables map[string]any) result {
	t.Helper()
	before := map[string]int{}
	for name, s := range g.subgraphs {
		before[name] = len(s.Bodies())
	}
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	resp, err := http.Post(g.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := result{Status: resp.StatusCode, Body: string(raw), Sent: map[string][]string{}}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, raw)
	}
	for name, s := range g.subgraphs {
		if b := s.Since(before[name]); len(b) > 0 {
			out.Sent[name] = b
		}
	}
	t.Logf("query %s\n-> %s\nsent: %v", strings.Join(strings.Fields(query), " "), raw, out.Sent)
	return out
}

// wantData fails unless the response has no errors and exactly this data.
func wantData(t *testing.T, res result, want string) {
	t.Helper()
	if len(res.Errors) > 0 {
		t.Fatalf("want no errors: %s\nsubgraphs were sent: %v", res.Body, res.Sent)
	}
	sameJSON(t, want, res.Data)
}

func sameJSON(t *testing.T, want string, got []byte) {
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
		t.Fatalf("data mismatch\nwant: %s\n got: %s", wb, gb)
	}
}

// fed2 is the schema extension a Federation v2 subgraph starts with.
const fed2 = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@provides", "@external", "@requires", "@inaccessible", "@interfaceObject", "@override", "@tag"])
`

type obj = toysubgraph.Object
type args = toysubgraph.Args

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
