package core_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

func TestQuery_joinsThreeSubgraphsThroughAnEntityChain(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res := r.post(t, `{ topProducts(first: 2) { upc name reviews { body author { name username } } } }`, nil)
	if res.Status != http.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	assertJSON(t, `{"topProducts":[
		{"upc":"top-1","name":"Trilby","reviews":[{"body":"Love it","author":{"name":"Ada Lovelace","username":"ada"}}]},
		{"upc":"top-2","name":"Fedora","reviews":[{"body":"Too big","author":{"name":"Alan Turing","username":"alan"}}]}
	]}`, res.Data)
}

func TestQuery_resolvesRequiresWithFieldsFromAnotherSubgraph(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res := r.post(t, `{ topProducts(first: 3) { upc shippingEstimate } }`, nil)
	if res.Status != http.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	// shippingEstimate lives in reviews and @requires price and weight from products.
	assertJSON(t, `{"topProducts":[
		{"upc":"top-1","shippingEstimate":50},
		{"upc":"top-2","shippingEstimate":100},
		{"upc":"top-3","shippingEstimate":0}
	]}`, res.Data)
}

func TestQuery_twiceGivesTheSameAnswer(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	q := `query Top($n: Int) { topProducts(first: $n) { name reviews { author { name } } } }`
	first := r.post(t, q, map[string]any{"n": 1})
	second := r.post(t, q, map[string]any{"n": 1})
	// A reused request would leak __typename and key fields into the second answer.
	if first.Body != second.Body {
		t.Fatalf("answers differ:\n%s\n%s", first.Body, second.Body)
	}
	assertJSON(t, `{"topProducts":[{"name":"Trilby","reviews":[{"author":{"name":"Ada Lovelace"}}]}]}`, second.Data)
}

func TestMutation_addsAReviewAndJoinsItsAuthorAndProduct(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res := r.post(t, `mutation Add($body: String!) { addReview(upc: "top-3", authorID: "2", body: $body) { body author { name } product { name } } }`,
		map[string]any{"body": "Keeps the sun off"})
	if res.Status != http.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	assertJSON(t, `{"addReview":{"body":"Keeps the sun off","author":{"name":"Alan Turing"},"product":{"name":"Boater"}}}`, res.Data)

	after := r.post(t, `{ product(upc: "top-3") { reviews { body } } }`, nil)
	assertJSON(t, `{"product":{"reviews":[{"body":"Keeps the sun off"}]}}`, after.Data)
}

func TestQuery_overGET(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	q := url.Values{"query": {`query P($upc: String!) { product(upc: $upc) { name } }`}, "variables": {`{"upc":"top-2"}`}}
	resp, err := http.Get(r.URL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res := readResponse(t, resp)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	assertJSON(t, `{"product":{"name":"Fedora"}}`, res.Data)
}

func TestMutation_overGETIsRefused(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	q := url.Values{"query": {`mutation { addReview(upc: "top-1", authorID: "1", body: "x") { body } }`}}
	resp, err := http.Get(r.URL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res := readResponse(t, resp)
	if res.Status != http.StatusMethodNotAllowed {
		t.Fatalf("status %d, want 405: %s", res.Status, res.Body)
	}
}

func TestValidationError_isAGraphQLErrorNotAnHTTPFailure(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res := r.post(t, `{ topProducts { name nope } }`, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "nope") {
		t.Fatalf("want an error naming the field: %s", res.Body)
	}
	if code := res.Errors[0].Extensions["code"]; code != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("extensions.code = %v: %s", code, res.Body)
	}
	if len(res.Data) != 0 && string(res.Data) != "null" {
		t.Fatalf("want no data: %s", res.Body)
	}
}

func TestSubgraphDown_givesPartialDataAndAnErrorNamingTheSubgraph(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	r.Subgraphs.Accounts.Close()

	res := r.post(t, `{ me { name } topProducts(first: 1) { name reviews { body } } }`, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", res.Status, res.Body)
	}
	assertJSON(t, `{"me":null,"topProducts":[{"name":"Trilby","reviews":[{"body":"Love it"}]}]}`, res.Data)
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "'accounts'") {
		t.Fatalf("want an error naming subgraph accounts: %s", res.Body)
	}
}

func TestSubgraphDown_nullsANonNullEntityChainUpToTheNearestNullableField(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	r.Subgraphs.Accounts.Close()

	// author and name are non-null, so the failure nulls the whole (non-null) list;
	// the response is still a GraphQL answer with HTTP 200, naming the subgraph.
	res := r.post(t, `{ topProducts(first: 1) { name reviews { body author { name } } } }`, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", res.Status, res.Body)
	}
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "'accounts'") {
		t.Fatalf("want an error naming subgraph accounts: %s", res.Body)
	}
}

func TestIntrospection_canBeSwitchedOff(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Introspection = false })
	res := r.post(t, `{ __schema { queryType { name } } }`, nil)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "INTROSPECTION_DISABLED" {
		t.Fatalf("want introspection refused: %s", res.Body)
	}
	on := startRouter(t, "graphql-transport-ws")
	res = on.post(t, `{ __schema { queryType { name } } }`, nil)
	assertJSON(t, `{"__schema":{"queryType":{"name":"Query"}}}`, res.Data)
}
