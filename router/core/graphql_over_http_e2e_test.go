package core_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// clientsDir is router/clients: the npm clients (graphql-http, subscriptions-transport-ws,
// playwright-core) the end-to-end tests drive, installed by `make router-clients` outside
// any test deadline. Missing, a test fails and says what to run; it never skips.
func clientsDir(t *testing.T, needs ...string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(wd, "..", "clients")
	for _, pkg := range needs {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg)); err != nil {
			t.Fatalf("router/clients' npm package %s is missing (run: make router-clients): %v", pkg, err)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not installed: %v", err)
	}
	return dir
}

// TestGraphQLOverHTTP_theRouterPassesEveryAuditOfGraphqlHTTP runs npm graphql-http's server
// audit (serverAudits: every MUST, SHOULD and MAY of the GraphQL-over-HTTP spec it checks)
// against the router in front of real subgraphs, and wants every audit ok.
func TestGraphQLOverHTTP_theRouterPassesEveryAuditOfGraphqlHTTP(t *testing.T) {
	dir := clientsDir(t, "graphql-http")
	r := startRouter(t, "")
	cmd := exec.Command("node", filepath.Join(dir, "http-audit.mjs"), r.URL)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the audit did not run: %v\n%s", err, out)
	}
	var report struct {
		OK, Notice, Warn, Error int
		Results                 []struct{ ID, Name, Status, Reason string }
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("audit output: %v: %s", err, out)
	}
	var failed []string
	for _, res := range report.Results {
		if res.Status != "ok" {
			failed = append(failed, res.Status+" "+res.ID+" "+res.Name+": "+res.Reason)
		}
	}
	t.Logf("graphql-http audit: %d ok, %d notice, %d warn, %d error (of %d)", report.OK, report.Notice, report.Warn, report.Error, len(report.Results))
	if len(report.Results) == 0 || len(failed) > 0 {
		t.Errorf("audits not ok:\n%s", strings.Join(failed, "\n"))
	}
}

// TestGraphQLOverHTTP_requestErrorsAreNamedAndStatusedByTheNegotiatedMediaType checks what
// the audit does not name: parse errors are GRAPHQL_PARSE_FAILED at a 1-based line and
// column; application/graphql-response+json answers request errors with 400 while clients
// asking application/json keep 200; a POST that is not JSON is refused with 415; variables
// or extensions that are not objects are a 400.
func TestGraphQLOverHTTP_requestErrorsAreNamedAndStatusedByTheNegotiatedMediaType(t *testing.T) {
	r := startRouter(t, "")
	send := func(t *testing.T, contentType, accept, body string) (gqlResponse, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, r.URL, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return readResponse(t, resp), resp.Header.Get("Content-Type")
	}
	const graphqlResponse = "application/graphql-response+json"
	cases := []struct {
		name, contentType, accept, body string
		status                          int
		media, code                     string
	}{
		{"a parse error, graphql-response+json", "application/json", graphqlResponse, `{"query":"{\n  topProducts {"}`, 400, graphqlResponse, "GRAPHQL_PARSE_FAILED"},
		{"a parse error, application/json", "application/json", "application/json", `{"query":"{\n  topProducts {"}`, 200, "application/json", "GRAPHQL_PARSE_FAILED"},
		{"a validation error, graphql-response+json", "application/json", graphqlResponse + ", application/json", `{"query":"{ nope }"}`, 400, graphqlResponse, "GRAPHQL_VALIDATION_FAILED"},
		{"a validation error, no Accept", "application/json", "", `{"query":"{ nope }"}`, 200, "application/json", "GRAPHQL_VALIDATION_FAILED"},
		{"a variable that does not coerce, graphql-response+json", "application/json", graphqlResponse,
			`{"query":"query($n: Int) { topProducts(first: $n) { upc } }","variables":{"n":"x"}}`, 400, graphqlResponse, "GRAPHQL_VALIDATION_FAILED"},
		{"a variable that does not coerce, application/json", "application/json", "application/json",
			`{"query":"query($n: Int) { topProducts(first: $n) { upc } }","variables":{"n":"x"}}`, 200, "application/json", "GRAPHQL_VALIDATION_FAILED"},
		{"variables as a string", "application/json", "", `{"query":"{ topProducts { upc } }","variables":"{}"}`, 400, "application/json", "BAD_REQUEST"},
		{"extensions as an array", "application/json", graphqlResponse, `{"query":"{ topProducts { upc } }","extensions":[]}`, 400, graphqlResponse, "BAD_REQUEST"},
		{"a POST without a content type", "", "", `{"query":"{ topProducts { upc } }"}`, 415, "application/json", "BAD_REQUEST"},
		{"a text/plain POST", "text/plain", "", `{"query":"{ topProducts { upc } }"}`, 415, "application/json", "BAD_REQUEST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, media := send(t, c.contentType, c.accept, c.body)
			if got.Status != c.status || !strings.HasPrefix(media, c.media) || len(got.Errors) == 0 || got.Errors[0].Extensions["code"] != c.code {
				t.Fatalf("got %d %s %s; want %d %s %s", got.Status, media, got.Body, c.status, c.media, c.code)
			}
		})
	}
	t.Run("a parse error names its 1-based line and column", func(t *testing.T) {
		got, _ := send(t, "application/json", graphqlResponse, `{"query":"{\n  topProducts(first: ) { upc } }"}`)
		var out struct {
			Errors []struct {
				Locations []struct{ Line, Column int }
			}
		}
		if err := json.Unmarshal([]byte(got.Body), &out); err != nil || len(out.Errors) != 1 || len(out.Errors[0].Locations) != 1 {
			t.Fatalf("got %s", got.Body)
		}
		if loc := out.Errors[0].Locations[0]; loc.Line != 2 || loc.Column != 22 {
			t.Fatalf("location = %+v; want line 2, column 22 (the ')'): %s", loc, got.Body)
		}
	})
	t.Run("a query still answers in the media type asked for", func(t *testing.T) {
		for _, accept := range []string{graphqlResponse, "application/json", ""} {
			got, media := send(t, "application/json", accept, `{"query":"{ topProducts(first: 1) { upc } }"}`)
			want := "application/json"
			if accept == graphqlResponse {
				want = graphqlResponse
			}
			if got.Status != 200 || !strings.HasPrefix(media, want) || len(got.Errors) > 0 || !strings.Contains(string(got.Data), "upc") {
				t.Fatalf("Accept %q: %d %s %s", accept, got.Status, media, got.Body)
			}
		}
	})
}
