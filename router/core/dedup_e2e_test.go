package core_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dizhtime/dizhtime/router/core"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// reviewsHold is how long the reviews subgraph holds each answer in these tests: the
// first request is in flight that long, so the second one (sent once reviews has seen
// the first) arrives while it is still running. Generous for a loaded machine; the
// assertions count requests, not time.
const reviewsHold = 3 * time.Second

// overlapping sends first, waits until the reviews subgraph has received its fetch
// (the first is then in flight, held by reviewsHold), then sends second; it returns
// both answers.
func overlapping(t *testing.T, r *testRouter, first, second func() gqlResponse) (gqlResponse, gqlResponse) {
	t.Helper()
	before := fetches(r, "reviews")
	r.Subgraphs.ReviewsSubgraph.SetDelay(reviewsHold)
	defer r.Subgraphs.ReviewsSubgraph.SetDelay(0)
	var a, b gqlResponse
	var wg sync.WaitGroup
	wg.Go(func() { a = first() })
	waitFor(t, "the first request to reach reviews", 10*time.Second, func() bool {
		return fetches(r, "reviews") > before
	})
	wg.Go(func() { b = second() })
	wg.Wait()
	return a, b
}

// postFrom is postWith without *testing.T (it runs in a goroutine): failures come back
// as a response with status 0.
func postFrom(url, query string, header http.Header) gqlResponse {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"query":`+dedupQuote(query)+`}`))
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return gqlResponse{Body: err.Error()}
	}
	return dedupRead(resp)
}

func dedupMetric(t *testing.T, reg *prometheus.Registry, kind string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "router_deduplicated_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "kind" && l.GetValue() == kind {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// startRouterWithRegistry is startRouter with the metrics registry at hand.
func startRouterWithRegistry(t *testing.T, opts ...routerOption) (*testRouter, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	subgraphs := testsubgraphs.Start(t)
	sg, err := config.LoadSupergraph(subgraphs.SupergraphYAML(t, t.TempDir(), "graphql-transport-ws"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	for _, o := range opts {
		o(&cfg)
	}
	r, err := core.NewRouter(cfg, sg, core.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	return dedupServe(t, r, cfg, subgraphs), reg
}

const reviewsQuery = `{ topProducts { upc reviews { body } } }`

func TestDedup_identicalAnonymousQueriesInFlightShareOneExecution(t *testing.T) {
	r, reg := startRouterWithRegistry(t)
	a, b := overlapping(t, r,
		func() gqlResponse { return postFrom(r.URL, reviewsQuery, nil) },
		func() gqlResponse { return postFrom(r.URL, reviewsQuery, nil) })
	for _, res := range []gqlResponse{a, b} {
		if res.Status != http.StatusOK || len(res.Errors) > 0 || !strings.Contains(res.Body, `"reviews":[{"body"`) {
			t.Fatalf("want the reviews, got %d %s", res.Status, res.Body)
		}
	}
	if a.Body != b.Body {
		t.Fatalf("shared answers differ:\n%s\n%s", a.Body, b.Body)
	}
	if n := fetches(r, "reviews"); n != 1 {
		t.Fatalf("reviews was asked %d times, want once for two identical queries in flight", n)
	}
	if n := fetches(r, "products"); n != 1 {
		t.Fatalf("products was asked %d times, want once", n)
	}
	if got := dedupMetric(t, reg, "inbound"); got < 1 {
		t.Fatalf("router_deduplicated_total{kind=inbound} = %v, want at least 1", got)
	}
}

func TestDedup_offExecutesEveryQuery(t *testing.T) {
	r, reg := startRouterWithRegistry(t, func(c *config.Config) {
		c.Deduplication = config.Deduplication{Inbound: false, SubgraphFetches: false}
	})
	overlapping(t, r,
		func() gqlResponse { return postFrom(r.URL, reviewsQuery, nil) },
		func() gqlResponse { return postFrom(r.URL, reviewsQuery, nil) })
	if n := fetches(r, "reviews"); n != 2 {
		t.Fatalf("reviews was asked %d times, want twice with deduplication off", n)
	}
	if got := dedupMetric(t, reg, "inbound") + dedupMetric(t, reg, "subgraph_fetch"); got != 0 {
		t.Fatalf("router_deduplicated_total = %v with deduplication off", got)
	}
}

func TestDedup_twoUsersWithDifferentIdentitiesNeverShareAnAnswer(t *testing.T) {
	issuer := newTokenIssuer(t)
	// Authorization is not forwarded: the verified identity is the only difference
	// between the two requests, and it alone must keep them apart.
	r, reg := startRouterWithRegistry(t, withAuth(issuer, false), func(c *config.Config) { c.Headers.Propagate = nil })
	ada := bearer(issuer.token(t, "user-ada", time.Hour, "customer"))
	bob := bearer(issuer.token(t, "user-bob", time.Hour, "customer"))
	a, b := overlapping(t, r,
		func() gqlResponse { return postFrom(r.URL, reviewsQuery, ada) },
		func() gqlResponse { return postFrom(r.URL, reviewsQuery, bob) })
	for _, res := range []gqlResponse{a, b} {
		if res.Status != http.StatusOK || len(res.Errors) > 0 {
			t.Fatalf("want the reviews, got %d %s", res.Status, res.Body)
		}
	}
	if n := fetches(r, "reviews"); n != 2 {
		t.Fatalf("reviews was asked %d times, want once per user", n)
	}
	users := r.Subgraphs.ReviewsHeaders.UserIDs()
	if !slices.Contains(users, "user-ada") || !slices.Contains(users, "user-bob") {
		t.Fatalf("reviews saw the identities %q, want each user's own fetch", users)
	}
	if got := dedupMetric(t, reg, "inbound") + dedupMetric(t, reg, "subgraph_fetch"); got != 0 {
		t.Fatalf("router_deduplicated_total = %v: two users shared work", got)
	}
}

func TestDedup_identicalMutationsInFlightAreNeverCoalesced(t *testing.T) {
	r, reg := startRouterWithRegistry(t)
	const mutation = `mutation { addReview(upc: "top-1", authorID: "1", body: "same words") { body } }`
	a, b := overlapping(t, r,
		func() gqlResponse { return postFrom(r.URL, mutation, nil) },
		func() gqlResponse { return postFrom(r.URL, mutation, nil) })
	for _, res := range []gqlResponse{a, b} {
		if res.Status != http.StatusOK || len(res.Errors) > 0 || !strings.Contains(res.Body, "same words") {
			t.Fatalf("want the review, got %d %s", res.Status, res.Body)
		}
	}
	added := 0
	for _, body := range r.Subgraphs.Requests["reviews"].Bodies() {
		if strings.Contains(body, "addReview") {
			added++
		}
	}
	if added != 2 {
		t.Fatalf("reviews got %d addReview mutations, want both", added)
	}
	if got := dedupMetric(t, reg, "inbound") + dedupMetric(t, reg, "subgraph_fetch"); got != 0 {
		t.Fatalf("router_deduplicated_total = %v for mutations", got)
	}
}

func TestDedup_identicalSubgraphFetchesOfDifferentQueriesShareOneRoundTrip(t *testing.T) {
	r, reg := startRouterWithRegistry(t)
	// Different client queries (the alias), so each runs on its own; the reviews
	// entity fetch both need is the same request.
	a, b := overlapping(t, r,
		func() gqlResponse { return postFrom(r.URL, `{ a: topProducts { upc reviews { body } } }`, nil) },
		func() gqlResponse { return postFrom(r.URL, `{ b: topProducts { upc reviews { body } } }`, nil) })
	for _, res := range []gqlResponse{a, b} {
		if res.Status != http.StatusOK || len(res.Errors) > 0 || !strings.Contains(res.Body, `"reviews":[{"body"`) {
			t.Fatalf("want the reviews, got %d %s", res.Status, res.Body)
		}
	}
	if strings.Replace(a.Body, `"a":`, `"b":`, 1) != b.Body {
		t.Fatalf("answers differ beyond the alias:\n%s\n%s", a.Body, b.Body)
	}
	if n := fetches(r, "products"); n != 2 {
		t.Fatalf("products was asked %d times, want once per query (their fetches differ)", n)
	}
	if n := fetches(r, "reviews"); n != 1 {
		t.Fatalf("reviews was asked %d times, want one shared round trip", n)
	}
	if got := dedupMetric(t, reg, "subgraph_fetch"); got < 1 {
		t.Fatalf("router_deduplicated_total{kind=subgraph_fetch} = %v, want at least 1", got)
	}
}

func TestDedup_subgraphFetchesOfDifferentUsersAreNotShared(t *testing.T) {
	issuer := newTokenIssuer(t)
	r, reg := startRouterWithRegistry(t, withAuth(issuer, false), func(c *config.Config) {
		c.Headers.Propagate = nil
		c.Deduplication.Inbound = false // only the fetch level decides here
	})
	ada := bearer(issuer.token(t, "user-ada", time.Hour))
	bob := bearer(issuer.token(t, "user-bob", time.Hour))
	overlapping(t, r,
		func() gqlResponse { return postFrom(r.URL, reviewsQuery, ada) },
		func() gqlResponse { return postFrom(r.URL, reviewsQuery, bob) })
	if n := fetches(r, "reviews"); n != 2 {
		t.Fatalf("reviews was asked %d times, want once per user", n)
	}
	if got := dedupMetric(t, reg, "subgraph_fetch"); got != 0 {
		t.Fatalf("router_deduplicated_total{kind=subgraph_fetch} = %v: two users shared a fetch", got)
	}
}

// fetches counts the operations a subgraph was sent, leaving out composition's
// _service { sdl } queries.
func fetches(r *testRouter, subgraph string) int {
	n := 0
	for _, body := range r.Subgraphs.Requests[subgraph].Bodies() {
		if !strings.Contains(body, "_service") {
			n++
		}
	}
	return n
}

func dedupQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func dedupRead(resp *http.Response) gqlResponse {
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return gqlResponse{Body: err.Error()}
	}
	out := gqlResponse{Status: resp.StatusCode, Body: string(raw)}
	_ = json.Unmarshal(raw, &out)
	return out
}

func dedupServe(t *testing.T, r *core.Router, cfg config.Config, subgraphs *testsubgraphs.Set) *testRouter {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := r.Compose(ctx); err != nil {
		t.Fatalf("compose: %v", err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		r.Close()
	})
	return &testRouter{URL: srv.URL + cfg.GraphQLPath, Base: srv.URL, Subgraphs: subgraphs, Router: r}
}

func TestPprof_isServedOnlyWhenTheOpsFlagIsOn(t *testing.T) {
	cmdline := func(r *testRouter) (int, string) {
		resp, err := http.Get(r.Base + "/debug/pprof/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	off := startRouter(t, "graphql-transport-ws")
	if status, body := cmdline(off); status == http.StatusOK && strings.Contains(body, ".test") {
		t.Fatalf("pprof answered with pprof off by default: %d %.100s", status, body)
	}
	on := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Pprof = true })
	if status, body := cmdline(on); status != http.StatusOK || !strings.Contains(body, ".test") {
		t.Fatalf("pprof on: got %d %.100s", status, body)
	}
}
