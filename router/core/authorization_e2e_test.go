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
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/core"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// vaultSDL is a subgraph guarded by the Federation authorization directives.
const vaultSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes"])
type Query {
  publicNote: String
  myNote: String @authenticated
  auditLog: [String!] @requiresScopes(scopes: [["ADMIN"], ["SUPPORT", "AUDITOR"]])
}
`

// startVaultRouter runs a router over a fake vault subgraph that answers every fetch
// with all its fields; the router decides what a caller may select.
func startVaultRouter(t *testing.T, opts ...routerOption) string {
	t.Helper()
	vault := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{
			"publicNote": "hello", "myNote": "mine", "auditLog": []string{"entry"},
		}})
	}))
	t.Cleanup(vault.Close)
	dir := t.TempDir()
	sdl := filepath.Join(dir, "vault.graphqls")
	_ = os.WriteFile(sdl, []byte(vaultSDL), 0o644)
	yaml := fmt.Sprintf("subgraphs:\n  - name: vault\n    routing_url: %s\n    schema: {file: %q}\n", vault.URL, sdl)
	path := filepath.Join(dir, "supergraph.yaml")
	_ = os.WriteFile(path, []byte(yaml), 0o644)
	sg, err := config.LoadSupergraph(path)
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
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() { srv.Close(); r.Close() })
	return srv.URL + cfg.GraphQLPath
}

func TestAuthorization_authenticatedAndRequiresScopesFieldsRefuseTheOperationForCallersWithoutThem(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := &testRouter{URL: startVaultRouter(t, withAuth(issuer, false))}
	customer := bearer(issuer.token(t, "7", time.Minute, "CUSTOMER"))
	admin := bearer(issuer.token(t, "1", time.Minute, "ADMIN"))
	supportAuditor := bearer(issuer.token(t, "2", time.Minute, "SUPPORT", "AUDITOR"))
	supportOnly := bearer(issuer.token(t, "3", time.Minute, "SUPPORT"))

	cases := []struct {
		name   string
		query  string
		header http.Header
		status int
		code   string
		data   string
	}{
		{"anyone reads a public field", `{ publicNote }`, nil, 200, "", `{"publicNote":"hello"}`},
		{"anonymous @authenticated", `{ publicNote myNote }`, nil, 401, "UNAUTHENTICATED", ""},
		{"anonymous through a fragment", `query { ...F } fragment F on Query { myNote }`, nil, 401, "UNAUTHENTICATED", ""},
		{"customer @authenticated", `{ myNote }`, customer, 200, "", `{"myNote":"mine"}`},
		{"anonymous @requiresScopes", `{ auditLog }`, nil, 401, "UNAUTHENTICATED", ""},
		{"customer lacks the scopes", `{ auditLog }`, customer, 403, "FORBIDDEN", ""},
		{"one role of an AND set is not enough", `{ auditLog }`, supportOnly, 403, "FORBIDDEN", ""},
		{"admin meets the first OR set", `{ auditLog }`, admin, 200, "", `{"auditLog":["entry"]}`},
		{"support+auditor meet the second set", `{ auditLog }`, supportAuditor, 200, "", `{"auditLog":["entry"]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := r.postWith(t, c.query, nil, c.header)
			if c.code != "" {
				wantError(t, res, c.status, c.code)
				if !strings.Contains(res.Errors[0].Message, "Query.") {
					t.Errorf("the error does not name the field: %s", res.Errors[0].Message)
				}
				return
			}
			if res.Status != 200 || len(res.Errors) > 0 {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			assertJSON(t, c.data, res.Data)
		})
	}
}
