package core_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

func TestLimits_refuseAnOperationOverEachLimitWithItsCode(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) {
		c.Limits.MaxDepth = 3
		c.Limits.MaxAliases = 2
		c.Limits.MaxRootFields = 2
		c.Limits.MaxFields = 8
	})
	tests := []struct {
		name, query, code string
	}{
		{"depth", `{ topProducts { reviews { author { name } } } }`, "MAX_DEPTH_EXCEEDED"},
		{"depth through a fragment", `query { topProducts { ...R } } fragment R on Product { reviews { author { name } } }`, "MAX_DEPTH_EXCEEDED"},
		{"aliases", `{ a: product(upc: "top-1") { name } b: product(upc: "top-2") { name } c: me { name } }`, "MAX_ALIASES_EXCEEDED"},
		{"root fields", `{ me { name } topProducts { name } product(upc: "top-1") { name } }`, "MAX_ROOT_FIELDS_EXCEEDED"},
		{"total fields", `{ topProducts { upc name price weight shippingEstimate reviews { body id } } }`, "MAX_FIELDS_EXCEEDED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := r.post(t, tt.query, nil)
			if res.Status != http.StatusOK || len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != tt.code {
				t.Fatalf("want one error with code %s, got %d: %s", tt.code, res.Status, res.Body)
			}
			if len(res.Data) != 0 && string(res.Data) != "null" {
				t.Fatalf("a refused operation must not run: %s", res.Body)
			}
		})
	}
	within := r.post(t, `{ topProducts(first: 1) { name reviews { body } } }`, nil)
	if len(within.Errors) > 0 {
		t.Fatalf("an operation within the limits was refused: %s", within.Body)
	}
}

func TestLimits_refuseABodyOverTheSizeLimitWith413(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Limits.MaxRequestBodyBytes = 256 })
	body := `{"query":"{ me { name } }","variables":{"pad":"` + strings.Repeat("x", 300) + `"}}`
	resp, err := http.Post(r.URL, "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	res := readResponse(t, resp)
	if res.Status != http.StatusRequestEntityTooLarge || len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "REQUEST_TOO_LARGE" {
		t.Fatalf("want 413 REQUEST_TOO_LARGE, got %d: %s", res.Status, res.Body)
	}
}

func TestLimits_cutAnOperationAtTheRequestTimeout(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Limits.RequestTimeout = 300 * time.Millisecond })
	r.Subgraphs.ReviewsSubgraph.SetDelay(2 * time.Second)
	start := time.Now()
	res := r.post(t, `{ latestReviews { body } }`, nil)
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Fatalf("answer took %s, want about the 300ms request timeout", took)
	}
	if res.Status != http.StatusGatewayTimeout || len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "REQUEST_TIMEOUT" {
		t.Fatalf("want 504 REQUEST_TIMEOUT, got %d: %s", res.Status, res.Body)
	}
}

func TestSubgraphDown_errorCarriesSubgraphUnavailableAndTheSubgraphName(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	r.Subgraphs.Accounts.Close()

	res := r.post(t, `{ me { name } topProducts(first: 1) { name } }`, nil)
	if res.Status != http.StatusOK || len(res.Errors) == 0 {
		t.Fatalf("want 200 with errors, got %d: %s", res.Status, res.Body)
	}
	ext := res.Errors[0].Extensions
	if ext["code"] != "SUBGRAPH_UNAVAILABLE" || ext["subgraph"] != "accounts" {
		t.Fatalf("want code SUBGRAPH_UNAVAILABLE and subgraph accounts: %s", res.Body)
	}
	assertJSON(t, `{"me":null,"topProducts":[{"name":"Trilby"}]}`, res.Data)
}

func TestSlowSubgraph_isCutAtItsOwnTimeoutWithSubgraphTimeout(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.SubgraphTimeout = 200 * time.Millisecond })
	r.Subgraphs.ReviewsSubgraph.SetDelay(2 * time.Second)

	res := r.post(t, `{ me { name } latestReviews { body } }`, nil)
	if res.Status != http.StatusOK || len(res.Errors) == 0 {
		t.Fatalf("want 200 with errors, got %d: %s", res.Status, res.Body)
	}
	ext := res.Errors[0].Extensions
	if ext["code"] != "SUBGRAPH_TIMEOUT" || ext["subgraph"] != "reviews" {
		t.Fatalf("want code SUBGRAPH_TIMEOUT naming reviews: %s", res.Body)
	}
}
