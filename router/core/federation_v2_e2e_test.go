package core_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// calls runs the query and returns the response and the bodies each subgraph was sent
// for it, by subgraph name.
func (r *testRouter) calls(t *testing.T, query string) (gqlResponse, map[string][]string) {
	t.Helper()
	before := map[string]int{}
	for name, l := range r.Subgraphs.Requests {
		before[name] = l.Count()
	}
	res := r.post(t, query, nil)
	out := map[string][]string{}
	for name, l := range r.Subgraphs.Requests {
		if b := l.Bodies(); len(b) > before[name] {
			out[name] = b[before[name]:]
		}
	}
	return res, out
}

func mustSucceed(t *testing.T, res gqlResponse) {
	t.Helper()
	if res.Status != http.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
}

func TestFederation_providesAnswersProductNameFromReviewsWithoutCallingProducts(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res, called := r.calls(t, `{ latestReviews { body product { name } } }`)
	mustSucceed(t, res)
	assertJSON(t, `{"latestReviews":[{"body":"Too big","product":{"name":"Fedora"}},{"body":"Love it","product":{"name":"Trilby"}}]}`, res.Data)
	if n := len(called["products"]); n != 0 {
		t.Fatalf("products was called %d times for a provided field: %v", n, called["products"])
	}
	// A field reviews does not provide still goes to products.
	res, called = r.calls(t, `{ latestReviews { product { name price } } }`)
	mustSucceed(t, res)
	if len(called["products"]) != 1 {
		t.Fatalf("want one products fetch for price, got %v", called)
	}
}

func TestFederation_overriddenFieldIsServedByTheOverridingSubgraphThroughItsCompoundKey(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res, called := r.calls(t, `{ topProducts { upc inStock } }`)
	mustSucceed(t, res)
	// products would answer false for all three: inventory's answer is what arrives.
	assertJSON(t, `{"topProducts":[{"upc":"top-1","inStock":true},{"upc":"top-2","inStock":true},{"upc":"top-3","inStock":false}]}`, res.Data)
	if len(called["products"]) != 1 || strings.Contains(called["products"][0], "inStock") {
		t.Fatalf("products must not be asked for inStock: %v", called["products"])
	}
	if len(called["inventory"]) != 1 {
		t.Fatalf("want one inventory fetch, got %v", called)
	}
	// inventory's key is @key(fields: "upc sku"): each representation carries both.
	if inv := called["inventory"][0]; !strings.Contains(inv, `"sku":"SKU-1"`) || !strings.Contains(inv, `"upc":"top-1"`) || !strings.Contains(inv, "_entities") {
		t.Fatalf("want _entities with upc and sku: %s", inv)
	}
}

func TestFederation_aResolvableFalseReferenceBySkuIsResolvedThroughProductsSecondKey(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res, called := r.calls(t, `{ me { name favouriteProduct { sku upc name } } }`)
	mustSucceed(t, res)
	assertJSON(t, `{"me":{"name":"Ada Lovelace","favouriteProduct":{"sku":"SKU-2","upc":"top-2","name":"Fedora"}}}`, res.Data)
	// accounts only knows sku (@key(fields: "sku", resolvable: false)); products is
	// entered through its @key(fields: "sku"), and accounts is never asked for entities.
	if p := called["products"]; len(p) != 1 || !strings.Contains(p[0], `{"__typename":"Product","sku":"SKU-2"}`) {
		t.Fatalf("want products entered by sku: %v", p)
	}
	for _, b := range called["accounts"] {
		if strings.Contains(b, "_entities") {
			t.Fatalf("accounts' Product is not resolvable, yet it was asked: %s", b)
		}
	}
}

func TestFederation_shareableFieldIsAnsweredByWhicheverSubgraphTheQueryIsAlreadyIn(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res, called := r.calls(t, `{ topProducts(first: 2) { weight } }`)
	mustSucceed(t, res)
	assertJSON(t, `{"topProducts":[{"weight":100},{"weight":200}]}`, res.Data)
	if len(called) != 1 || len(called["products"]) != 1 {
		t.Fatalf("want products alone, got %v", called)
	}
	res, called = r.calls(t, `{ stock { upc weight } }`)
	mustSucceed(t, res)
	assertJSON(t, `{"stock":[{"upc":"top-1","weight":100},{"upc":"top-2","weight":200},{"upc":"top-3","weight":300}]}`, res.Data)
	if len(called) != 1 || len(called["inventory"]) != 1 {
		t.Fatalf("want inventory alone, got %v", called)
	}
}

func TestFederation_inaccessibleFieldFailsValidationAndNeverReachesTheSubgraph(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res, called := r.calls(t, `{ topProducts { upc internalCode } }`)
	if res.Status != http.StatusOK || len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" ||
		!strings.Contains(res.Errors[0].Message, "internalCode") {
		t.Fatalf("want a validation error naming internalCode: %s", res.Body)
	}
	if len(res.Data) != 0 && string(res.Data) != "null" {
		t.Fatalf("want no data: %s", res.Body)
	}
	if len(called) != 0 {
		t.Fatalf("no subgraph should be called: %v", called)
	}
	// Through a fragment too.
	res, called = r.calls(t, `query { ...F } fragment F on Query { topProducts { internalCode } }`)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" || len(called) != 0 {
		t.Fatalf("want a validation error and no fetch: %s %v", res.Body, called)
	}
	// Over WebSocket too.
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `{ product(upc: "top-1") { internalCode } }`}})
	if m := c.readSkippingKeepAlive(); m.Type != "error" || !strings.Contains(string(m.Payload), "internalCode") {
		t.Fatalf("want an error message naming internalCode, got %+v %s", m, m.Payload)
	}
}

func TestFederation_taggedTypesAndFieldsComposeAndServe(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	composed, err := r.Router.Compose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sdl := composed.SupergraphSDL(); !strings.Contains(sdl, "directive @tag(name: String!) repeatable") || !strings.Contains(sdl, "warehouse: String!") {
		t.Fatalf("want @tag declared and the tagged field composed:\n%s", sdl)
	}
	res := r.post(t, `{ stock { warehouse } }`, nil)
	mustSucceed(t, res)
	assertJSON(t, `{"stock":[{"warehouse":"Almaty"},{"warehouse":"Astana"},{"warehouse":"Almaty"}]}`, res.Data)
}

func TestFederation_unionMembersAreResolvedFromTheSubgraphsOwningTheirFields(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res, called := r.calls(t, `{ search(term: "hat") { __typename
		... on Product { upc name inStock }
		... on User { id name username } } }`)
	mustSucceed(t, res)
	assertJSON(t, `{"search":[
		{"__typename":"Product","upc":"top-1","name":"Trilby","inStock":true},
		{"__typename":"User","id":"2","name":"Alan Turing","username":"alan"}]}`, res.Data)
	for _, sg := range []string{"inventory", "products", "accounts"} {
		if len(called[sg]) != 1 {
			t.Fatalf("want one fetch from each of inventory, products, accounts; got %v", called)
		}
	}
}

func TestFederation_interfaceMembersFromProductsGetFieldsAnInterfaceObjectAddsInInventory(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res, called := r.calls(t, `{ media { __typename id title copiesInStock
		... on Book { pages }
		... on Movie { minutes } } }`)
	mustSucceed(t, res)
	assertJSON(t, `{"media":[
		{"__typename":"Book","id":"b1","title":"Abai Zholy","copiesInStock":3,"pages":1200},
		{"__typename":"Movie","id":"m1","title":"Kelin","copiesInStock":0,"minutes":85}]}`, res.Data)
	// inventory sees Media, not Book or Movie: that is what @interfaceObject means.
	if inv := called["inventory"]; len(inv) != 1 || !strings.Contains(inv[0], `{"__typename":"Media","id":"b1"}`) {
		t.Fatalf("want inventory asked for Media entities: %v", inv)
	}
}

func TestFederation_anInterfaceObjectRootFieldGetsItsConcreteTypesFromTheOwningSubgraph(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res, called := r.calls(t, `{ lowStockMedia { __typename id copiesInStock title
		... on Book { pages }
		... on Movie { minutes } } }`)
	mustSucceed(t, res)
	assertJSON(t, `{"lowStockMedia":[
		{"__typename":"Book","id":"b1","copiesInStock":3,"title":"Abai Zholy","pages":1200},
		{"__typename":"Movie","id":"m1","copiesInStock":0,"title":"Kelin","minutes":85}]}`, res.Data)
	if len(called["inventory"]) != 1 || len(called["products"]) != 1 {
		t.Fatalf("want one fetch each from inventory and products: %v", called)
	}
}
