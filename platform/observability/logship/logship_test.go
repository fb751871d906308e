package logship_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dizhtime/dizhtime/platform/observability/logship"
)

// pushes records the push requests a Loki would receive (the real Loki is exercised by
// platform/observability's observed-journey test; this checks the shipper's own rules).
type pushes struct {
	mu      sync.Mutex
	refuse  bool
	streams []stream
}

type stream struct {
	Stream map[string]string
	Values [][]json.RawMessage
}

func (p *pushes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.URL.Path != "/loki/api/v1/push" || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if p.refuse {
		http.Error(w, "ingester not ready", http.StatusServiceUnavailable)
		return
	}
	var body struct{ Streams []stream }
	data, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(data, &body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.streams = append(p.streams, body.Streams...)
	w.WriteHeader(http.StatusNoContent)
}

// lines returns every shipped line with its stream labels and metadata.
func (p *pushes) lines(t *testing.T) []shipped {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []shipped
	for _, s := range p.streams {
		for _, v := range s.Values {
			var ts, line string
			meta := map[string]string{}
			_ = json.Unmarshal(v[0], &ts)
			_ = json.Unmarshal(v[1], &line)
			if len(v) > 2 {
				_ = json.Unmarshal(v[2], &meta)
			}
			out = append(out, shipped{Service: s.Stream["service"], Level: s.Stream["level"], TS: ts, Line: line, Meta: meta})
		}
	}
	return out
}

type shipped struct {
	Service, Level, TS, Line string
	Meta                     map[string]string
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func TestShipper_shipsCompleteLinesWithServiceLevelLabelsAndTraceMetadataOnce(t *testing.T) {
	loki := &pushes{}
	srv := httptest.NewServer(loki)
	defer srv.Close()
	dir := t.TempDir()
	orders := filepath.Join(dir, "orders.log")
	appendTo(t, orders, `{"time":"2026-12-06T22:00:00.123456789Z","level":"INFO","msg":"order placed","service":"orders","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}`+"\n")
	appendTo(t, orders, "panic: not JSON\n")
	appendTo(t, orders, `{"level":"DEBUG","msg":"half writ`) // no newline yet

	s, err := logship.New(logship.Config{PushURL: srv.URL + "/loki/api/v1/push", Globs: []string{filepath.Join(dir, "*.log")}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	got := loki.lines(t)
	if len(got) != 2 {
		t.Fatalf("shipped %d lines, want the 2 complete ones: %+v", len(got), got)
	}
	if g := got[0]; g.Service != "orders" || g.Level != "info" || g.TS != "1796594400123456789" ||
		g.Meta["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || g.Meta["span_id"] != "00f067aa0ba902b7" {
		t.Errorf("JSON record shipped as %+v", g)
	}
	if g := got[1]; g.Service != "orders" || g.Level != "unknown" || g.Line != "panic: not JSON" || len(g.Meta) != 0 {
		t.Errorf("plain line shipped as %+v", g)
	}

	// The half line completes; a new file appears; Loki refuses once: nothing is lost
	// and nothing is shipped twice.
	appendTo(t, orders, `e"}`+"\n")
	appendTo(t, filepath.Join(dir, "wallet.log"), `{"level":"WARN","msg":"w","service":"wallet"}`+"\n")
	loki.mu.Lock()
	loki.refuse = true
	loki.mu.Unlock()
	if err := s.Poll(ctx); err == nil {
		t.Fatal("a refused push reported no error")
	}
	loki.mu.Lock()
	loki.refuse = false
	loki.mu.Unlock()
	if err := s.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	got = loki.lines(t)
	if len(got) != 4 || got[2].Line != `{"level":"DEBUG","msg":"half write"}` || got[2].Level != "debug" ||
		got[3].Service != "wallet" || got[3].Level != "warn" {
		t.Fatalf("after the retry: %+v", got)
	}

	// A truncated file (rotated in place) is read again from its start.
	if err := os.WriteFile(orders, []byte(`{"level":"ERROR","msg":"again","service":"orders"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if got = loki.lines(t); len(got) != 5 || got[4].Level != "error" {
		t.Fatalf("after truncation: %+v", got)
	}
}

func TestShipper_fromEndSkipsWhatWasWrittenBeforeItStarted(t *testing.T) {
	loki := &pushes{}
	srv := httptest.NewServer(loki)
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "router.log")
	appendTo(t, path, `{"level":"INFO","msg":"old","service":"router"}`+"\n")
	s, err := logship.New(logship.Config{PushURL: srv.URL + "/loki/api/v1/push", Globs: []string{filepath.Join(dir, "*.log")}, FromEnd: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, `{"level":"INFO","msg":"new","service":"router"}`+"\n")
	if err := s.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := loki.lines(t); len(got) != 1 || got[0].Line != `{"level":"INFO","msg":"new","service":"router"}` {
		t.Fatalf("shipped %+v, want only the new line", got)
	}
}

func TestNew_refusesAConfigWithoutTargetOrFiles(t *testing.T) {
	for _, cfg := range []logship.Config{{Globs: []string{"*.log"}}, {PushURL: "http://loki/push"}, {PushURL: "http://loki/push", Globs: []string{"["}}} {
		if _, err := logship.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted it", cfg)
		}
	}
}
