package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/core"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// gatedDocsSDL has a gated field of every shape: with a one-line description, with a block
// description, with none, and a public one.
const gatedDocsSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes"])
type Query {
  "Anyone may read it."
  publicNote: String
  "The caller's own note."
  myNote: String @authenticated
  """
  Every change, newest first.
  """
  auditLog: [String!] @requiresScopes(scopes: [["ADMIN"], ["SUPPORT", "AUDITOR"]])
  bare: String @authenticated
}
`

// TestIntrospection_describesEachFieldsGateWhereTheExplorerShowsIt asks the router's
// introspection, as the explorer's docs do, for the fields of Query: every gated field's
// description says what it needs, written from the gates the router enforces; a public
// field's description is as its subgraph wrote it. The gated field still refuses an
// anonymous caller (the text is documentation, the gate is unchanged).
func TestIntrospection_describesEachFieldsGateWhereTheExplorerShowsIt(t *testing.T) {
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"publicNote": "hello", "myNote": "mine"}})
	}))
	t.Cleanup(sub.Close)
	dir := t.TempDir()
	sdl := filepath.Join(dir, "notes.graphqls")
	if err := os.WriteFile(sdl, []byte(gatedDocsSDL), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "supergraph.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf("subgraphs:\n  - name: notes\n    routing_url: %s\n    schema: {file: %q}\n", sub.URL, sdl)), 0o644); err != nil {
		t.Fatal(err)
	}
	sg, err := config.LoadSupergraph(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Introspection = true
	r, err := core.NewRouter(cfg, sg, core.Options{Logger: slog.New(slog.NewTextHandler(&testLogWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := r.Compose(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() { srv.Close(); r.Close() })
	tr := &testRouter{URL: srv.URL + cfg.GraphQLPath}

	resp := tr.post(t, `{ __type(name: "Query") { fields { name description } } }`, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("introspection: %s", resp.Body)
	}
	var out struct {
		Type struct {
			Fields []struct {
				Name        string
				Description *string
			}
		} `json:"__type"`
	}
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"publicNote": "Anyone may read it.",
		"myNote":     "The caller's own note.\n\nRequires: signed in.",
		"auditLog":   "Every change, newest first.\n\nRequires scopes: ADMIN or SUPPORT and AUDITOR.",
		"bare":       "Requires: signed in.",
	}
	for _, f := range out.Type.Fields {
		w, ok := want[f.Name]
		if !ok {
			continue
		}
		delete(want, f.Name)
		if f.Description == nil || *f.Description != w {
			got := "<none>"
			if f.Description != nil {
				got = *f.Description
			}
			t.Errorf("Query.%s description %q, want %q", f.Name, got, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("introspection lacks fields %v: %s", want, resp.Data)
	}
	if res := tr.post(t, `{ myNote }`, nil); len(res.Errors) == 0 {
		t.Errorf("an anonymous myNote was answered: %s", res.Body)
	}
}
