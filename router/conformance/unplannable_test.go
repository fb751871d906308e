package conformance_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/router/conformance/toysubgraph"
)

// wantRefused fails unless the query was refused as a whole: errors, data null, and no
// subgraph called.
func wantRefused(t *testing.T, res result, mentions string) {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("want the query refused: %s", res.Body)
	}
	if len(res.Data) != 0 && string(res.Data) != "null" {
		t.Fatalf("want data: null, not a partial answer: %s", res.Body)
	}
	if mentions != "" && !strings.Contains(res.Errors[0].Message, mentions) {
		t.Fatalf("want an error that names %q: %s", mentions, res.Body)
	}
	if res.Errors[0].Extensions["code"] == nil {
		t.Fatalf("want an extensions.code: %s", res.Body)
	}
	if len(res.Sent) != 0 {
		t.Fatalf("a subgraph was called for an unplannable query: %v", res.Sent)
	}
}

func TestUnplannable_aFieldThatOnlyExistsAsExternalOnThePathIsRefused(t *testing.T) {
	// name is resolvable in catalog only through @provides on deals; catalog's own
	// Product is not an entity anyone can enter (no resolvable key), so under allProducts
	// name cannot be fetched from anywhere.
	deals := toysubgraph.Subgraph{
		Name: "deals",
		SDL: fed2 + `
type Query { deals: [Product] @provides(fields: "name") allProducts: [Product] }
type Product @key(fields: "id") { id: ID! name: String @external }
`,
		Query: map[string]any{
			"deals":       []any{obj{"__typename": "Product", "id": "p1", "name": "Trilby"}},
			"allProducts": []any{obj{"__typename": "Product", "id": "p1"}},
		},
		Entities: map[string]func(map[string]any) obj{"Product": func(r map[string]any) obj { return obj{"__typename": "Product", "id": r["id"]} }},
	}
	names := toysubgraph.Subgraph{
		Name: "names",
		SDL: fed2 + `
type Query { topName: String }
type Product @key(fields: "id", resolvable: false) { id: ID! name: String @shareable }
`,
		Query: map[string]any{"topName": "Trilby"},
	}
	g, err := tryGateway(t, deals, names)
	if err != nil {
		// Refusing the supergraph at composition (Apollo's satisfiability check) is
		// also a refusal; the message must name the field.
		if !strings.Contains(err.Error(), "name") {
			t.Fatalf("composition refused, but without naming the field: %v", err)
		}
		return
	}
	res := g.query(t, `{ deals { id name } }`, nil)
	wantData(t, res, `{"deals":[{"id":"p1","name":"Trilby"}]}`)
	res = g.query(t, `{ allProducts { id name } }`, nil)
	wantRefused(t, res, "name")
}

func TestUnplannable_aNonResolvableInterfaceObjectRootIsRefused(t *testing.T) {
	// Node's implementations live in nodes, which cannot be entered by key
	// (resolvable: false): __typename of what extras returns cannot be planned.
	nodes := toysubgraph.Subgraph{
		Name: "nodes",
		SDL: fed2 + `
type Query { account: Account }
interface Node @key(fields: "id", resolvable: false) { id: ID! }
type Account implements Node @key(fields: "id", resolvable: false) { id: ID! }
`,
		Query: map[string]any{"account": obj{"__typename": "Account", "id": "acc1"}},
	}
	extras := toysubgraph.Subgraph{
		Name: "extras",
		SDL: fed2 + `
type Query { featured: [Node] }
type Node @key(fields: "id") @interfaceObject { id: ID! score: Int }
`,
		Query:    map[string]any{"featured": []any{obj{"__typename": "Node", "id": "acc1", "score": 5}}},
		Entities: map[string]func(map[string]any) obj{"Node": func(r map[string]any) obj { return obj{"__typename": "Node", "id": r["id"], "score": 5} }},
	}
	g, err := tryGateway(t, nodes, extras)
	if err != nil {
		if !strings.Contains(err.Error(), "Node") {
			t.Fatalf("composition refused, but without naming the type: %v", err)
		}
		return
	}
	res := g.query(t, `{ featured { id score } }`, nil)
	wantData(t, res, `{"featured":[{"id":"acc1","score":5}]}`)
	res = g.query(t, `{ featured { __typename id } }`, nil)
	wantRefused(t, res, "concrete type")
	res = g.query(t, `{ featured { ... on Account { id } } }`, nil)
	wantRefused(t, res, "")
}

func TestUnplannable_theRefusalIsLoggedWithTheOperationsTraceID(t *testing.T) {
	deals := toysubgraph.Subgraph{
		Name: "deals",
		SDL: fed2 + `
type Query { allProducts: [Product] }
type Product @key(fields: "id") { id: ID! name: String @external }
`,
		Query: map[string]any{"allProducts": []any{obj{"__typename": "Product", "id": "p1"}}},
	}
	names := toysubgraph.Subgraph{
		Name: "names",
		SDL: fed2 + `
type Query { topName: String }
type Product @key(fields: "id", resolvable: false) { id: ID! name: String @shareable }
`,
		Query: map[string]any{"topName": "Trilby"},
	}
	g := startGateway(t, deals, names)
	const traceID = "6bf92f3577b34da6a3ce929d0e0e4738"
	req, _ := http.NewRequest(http.MethodPost, g.URL, bytes.NewReader([]byte(`{"query":"{ allProducts { name } }"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	var line string
	for _, l := range strings.Split(g.Logs.String(), "\n") {
		if strings.Contains(l, "cannot be planned") {
			line = l
		}
	}
	if !strings.Contains(line, "trace_id="+traceID) || !strings.Contains(line, "span_id=") {
		t.Fatalf("want the refusal logged with trace %s: %q\nall logs:\n%s", traceID, line, g.Logs.String())
	}
}
