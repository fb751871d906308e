package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	platformconfig "github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/telemetry"
)

func get(t *testing.T, url string, header map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestHeaders_namedClientHeadersAndTraceparentReachTheSubgraph(t *testing.T) {
	tel, err := telemetry.Setup(context.Background(), "router-test", platformconfig.Telemetry{SampleRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	r := startRouter(t, "graphql-transport-ws")

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	body, _ := json.Marshal(map[string]any{"query": `{ me { name } }`})
	req, _ := http.NewRequest(http.MethodPost, r.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer token-1")
	req.Header.Set("Accept-Language", "fa-IR")
	req.Header.Set("X-Secret", "not forwarded")
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, `{"me":{"name":"Ada Lovelace"}}`, readResponse(t, resp).Data)

	got := r.Subgraphs.AccountsHeaders.Last()
	if got.Get("Authorization") != "Bearer token-1" || got.Get("Accept-Language") != "fa-IR" {
		t.Fatalf("propagated headers missing: %v", got)
	}
	if got.Get("X-Secret") != "" {
		t.Fatalf("a header outside the rules was forwarded: %v", got)
	}
	tp := regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-01$`).FindStringSubmatch(got.Get("traceparent"))
	if tp == nil || tp[1] != traceID {
		t.Fatalf("traceparent %q does not continue trace %s", got.Get("traceparent"), traceID)
	}
	if tp[2] == "00f067aa0ba902b7" {
		t.Fatalf("subgraph's parent is the client's span: the router recorded no span of its own")
	}

	// The latency histograms point back at the trace: an OpenMetrics scrape (what
	// Prometheus asks for) shows the trace id as the exemplar of the operation's and the
	// fetch's buckets.
	_, metrics, _ := get(t, r.Base+"/metrics", map[string]string{"Accept": "application/openmetrics-text; version=1.0.0"})
	for _, series := range []string{"router_operation_duration_seconds_bucket", "router_subgraph_fetch_duration_seconds_bucket"} {
		if !regexp.MustCompile(`(?m)^` + series + `\{.*\} \d+ # \{trace_id="` + traceID + `"\}`).MatchString(metrics) {
			t.Errorf("no %s carries exemplar trace_id=%s:\n%s", series, traceID, grepLines(metrics, series))
		}
	}
}

func TestOps_healthzReadyzAndMetrics(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")

	if code, body, _ := get(t, r.Base+"/healthz", nil); code != http.StatusOK {
		t.Fatalf("/healthz %d: %s", code, body)
	}
	if code, body, _ := get(t, r.Base+"/readyz", nil); code != http.StatusOK || !strings.Contains(body, `"subgraphs"`) || !strings.Contains(body, `"supergraph"`) {
		t.Fatalf("/readyz %d: %s", code, body)
	}

	q := `query Top { topProducts(first: 1) { name reviews { author { name } } } }`
	r.post(t, q, nil)
	r.post(t, q, nil)
	r.post(t, `{ nope }`, nil)
	_, metrics, _ := get(t, r.Base+"/metrics", nil)
	for _, want := range []string{
		`router_operations_total{operation_name="Top",operation_type="query"} 2`,
		`router_operation_duration_seconds_bucket{operation_name="Top",operation_type="query",le="+Inf"} 2`,
		`router_operation_errors_total{code="GRAPHQL_VALIDATION_FAILED"`,
		`router_subgraph_fetch_duration_seconds_count{subgraph="accounts"}`,
		`router_subgraph_fetch_duration_seconds_count{subgraph="reviews"}`,
		`router_plan_cache_total{result="hit"} 1`,
		`router_plan_cache_total{result="miss"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	r.Subgraphs.Accounts.Close()
	code, body, _ := get(t, r.Base+"/readyz", nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "accounts") {
		t.Fatalf("/readyz with accounts down: %d %s", code, body)
	}
	r.post(t, `query Me { me { name } }`, nil)
	_, metrics, _ = get(t, r.Base+"/metrics", nil)
	if !strings.Contains(metrics, `router_subgraph_fetch_errors_total{subgraph="accounts"} 1`) {
		t.Errorf("/metrics lacks the failed accounts fetch")
	}
	if !strings.Contains(metrics, `router_operation_errors_total{code="SUBGRAPH_UNAVAILABLE",operation_name="Me",operation_type="query"} 1`) {
		t.Errorf("/metrics lacks the operation error by code")
	}
}

func TestExplorer_servesGraphiQLFromBundledAssetsOnly(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	code, page, hdr := get(t, r.Base+"/", map[string]string{"Accept": "text/html"})
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / %d %s", code, hdr.Get("Content-Type"))
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") || strings.Contains(page, "//cdn") {
		t.Fatalf("the explorer page references a remote URL:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 5 {
		t.Fatalf("want the page to load its scripts and styles, found %v", refs)
	}
	for _, ref := range refs {
		code, body, _ := get(t, r.Base+ref[1], nil)
		if code != http.StatusOK || (len(body) < 1000 && !strings.HasSuffix(ref[1], ".svg")) {
			t.Errorf("asset %s: %d, %d bytes", ref[1], code, len(body))
		}
	}
	for _, want := range []string{"isHeadersEditorEnabled", "graphqlWs.createClient", `new URL("/graphql"`} {
		if !strings.Contains(page, want) {
			t.Errorf("explorer page lacks %s", want)
		}
	}
	// A non-browser gets a pointer to the endpoint and the explorer (TestExplorer_theRootAnswersEveryClient).
	if code, body, _ := get(t, r.Base+"/", map[string]string{"Accept": "application/json"}); code != http.StatusOK || !strings.Contains(body, "/graphql") {
		t.Errorf("GET / for a non-browser: %d %s, want 200 and the endpoint", code, body)
	}
}
