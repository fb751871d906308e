package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad_withoutAFileGivesLaptopDefaults(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != "127.0.0.1:4000" || cfg.GraphQLPath != "/graphql" || !cfg.Introspection || cfg.SubgraphTimeout != 10*time.Second {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestLoad_overlaysTheFileOnDefaults(t *testing.T) {
	path := writeFile(t, "router.yaml", "listen_addr: 0.0.0.0:8080\nintrospection: false\nsubgraph_timeout: 2s\nlimits:\n  max_request_body_bytes: 2048\n")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != "0.0.0.0:8080" || cfg.Introspection || cfg.SubgraphTimeout != 2*time.Second || cfg.Limits.MaxRequestBodyBytes != 2048 {
		t.Fatalf("got %+v", cfg)
	}
	if cfg.GraphQLPath != "/graphql" || cfg.Limits.MaxConcurrentResolvers != 64 {
		t.Fatalf("defaults lost: %+v", cfg)
	}
}

func TestLoad_refusesAnUnknownKeyAndNamesIt(t *testing.T) {
	path := writeFile(t, "router.yaml", "listen_addr: :4000\nlimits:\n  max_depth_typo: 3\n")
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "max_depth_typo") {
		t.Fatalf("want an error naming max_depth_typo, got %v", err)
	}
}

func TestLoad_environmentOverridesTheFile(t *testing.T) {
	path := writeFile(t, "router.yaml", "listen_addr: 127.0.0.1:1\n")
	t.Setenv("DIZHTIME_ROUTER_LISTEN_ADDR", "127.0.0.1:2")
	t.Setenv("DIZHTIME_ROUTER_INTROSPECTION", "false")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != "127.0.0.1:2" || cfg.Introspection {
		t.Fatalf("got %+v", cfg)
	}
}

func TestLoad_refusesBadValues(t *testing.T) {
	path := writeFile(t, "router.yaml", "graphql_path: graphql\nsubgraph_timeout: 0s\n")
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "graphql_path") || !strings.Contains(err.Error(), "subgraph_timeout") {
		t.Fatalf("want both problems reported, got %v", err)
	}
}

func TestParseSupergraph(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"introspected and file subgraphs", `
subgraphs:
  - name: accounts
    routing_url: http://127.0.0.1:4001/query
  - name: reviews
    routing_url: http://127.0.0.1:4002/query
    subscription: {url: ws://127.0.0.1:4002/query, protocol: graphql-ws}
    schema: {file: schema/reviews.graphqls}
`, ""},
		{"unknown key is named", `
subgraphs:
  - name: accounts
    routing_url: http://x/query
    routingurl: http://x/query
`, "routingurl"},
		{"unknown protocol", `
subgraphs:
  - name: a
    routing_url: http://x/query
    subscription: {url: ws://x/query, protocol: mqtt}
`, `subgraph "a": subscription.protocol "mqtt"`},
		{"duplicate name", `
subgraphs:
  - {name: a, routing_url: http://x/query}
  - {name: a, routing_url: http://y/query}
`, `subgraph "a": name is used twice`},
		{"missing routing url", `
subgraphs:
  - {name: a}
`, `subgraph "a": routing_url: is required`},
		{"upstream sse wants an http url", `
subgraphs:
  - name: a
    routing_url: http://x/query
    subscription: {url: ws://x/query, protocol: sse}
`, `subgraph "a": subscription.url`},
		{"websocket wants a ws url", `
subgraphs:
  - name: a
    routing_url: http://x/query
    subscription: {url: http://x/query, protocol: graphql-transport-ws}
`, `subgraph "a": subscription.url`},
		{"no subgraphs", `subgraphs: []`, "at least one subgraph"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSupergraph([]byte(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("want error containing %q, got %v", tt.wantErr, err)
			}
		})
	}
}

func TestParseSupergraph_defaultsTheSubscriptionProtocol(t *testing.T) {
	sg, err := ParseSupergraph([]byte("subgraphs:\n  - name: a\n    routing_url: http://x/query\n    subscription: {url: ws://x/ws}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sg.Subgraphs[0].Subscription.Protocol; got != ProtocolGraphQLTransportWS {
		t.Fatalf("protocol %q", got)
	}
}

func TestParseSupergraph_acceptsSSEOverAnHTTPURL(t *testing.T) {
	sg, err := ParseSupergraph([]byte("subgraphs:\n  - name: a\n    routing_url: http://x/query\n    subscription: {url: http://x/query, protocol: sse}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sg.Subgraphs[0].Subscription.Protocol; got != ProtocolSSE {
		t.Fatalf("protocol %q", got)
	}
}

func TestLoadSupergraph_resolvesSchemaFilesAgainstItsDirectory(t *testing.T) {
	path := writeFile(t, "supergraph.yaml", "subgraphs:\n  - name: a\n    routing_url: http://x/query\n    schema: {file: schema/a.graphqls}\n")
	sg, err := LoadSupergraph(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(path), "schema", "a.graphqls"); sg.Subgraphs[0].Schema.File != want {
		t.Fatalf("file %q, want %q", sg.Subgraphs[0].Schema.File, want)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
