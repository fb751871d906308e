package conformance_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/router/conformance/toysubgraph"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// apolloSupergraph is a supergraph as Apollo's composition prints it (join v0.3), for
// the catalog and shipping toy subgraphs below, written by hand.
const apolloSupergraph = `schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

enum join__Graph {
  CATALOG @join__graph(name: "catalog", url: "%s")
  SHIPPING @join__graph(name: "shipping", url: "%s")
}

scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}

type Brand @join__type(graph: CATALOG) {
  name: String
}

enum Category @join__type(graph: CATALOG) {
  HATS @join__enumValue(graph: CATALOG)
  COATS @join__enumValue(graph: CATALOG)
  SECRET @join__enumValue(graph: CATALOG) @inaccessible
}

interface Named @join__type(graph: CATALOG) {
  name: String
}

type Product implements Named
  @join__implements(graph: CATALOG, interface: "Named")
  @join__type(graph: CATALOG, key: "id")
  @join__type(graph: SHIPPING, key: "id")
{
  id: ID!
  name: String @join__field(graph: CATALOG)
  weight: Float @join__field(graph: CATALOG) @join__field(graph: SHIPPING, external: true)
  category: Category @join__field(graph: CATALOG)
  cost: Float @join__field(graph: SHIPPING, requires: "weight")
}

type Query @join__type(graph: CATALOG) @join__type(graph: SHIPPING) {
  products: [Product] @join__field(graph: CATALOG)
  search: [Result] @join__field(graph: CATALOG)
}

union Result @join__type(graph: CATALOG) @join__unionMember(graph: CATALOG, member: "Product") @join__unionMember(graph: CATALOG, member: "Brand") = Product | Brand
`

func supergraphSubgraphs() []toysubgraph.Subgraph {
	product := func(id string) obj {
		return obj{"__typename": "Product", "id": id, "name": map[string]string{"p1": "Trilby", "p2": "Parka"}[id],
			"weight": map[string]float64{"p1": 0.5, "p2": 2}[id], "category": map[string]string{"p1": "HATS", "p2": "SECRET"}[id]}
	}
	catalog := toysubgraph.Subgraph{
		Name: "catalog",
		SDL: fed2 + `
type Query { products: [Product] search: [Result] }
interface Named { name: String }
type Product implements Named @key(fields: "id") { id: ID! name: String weight: Float category: Category }
enum Category { HATS COATS SECRET @inaccessible }
type Brand { name: String }
union Result = Product | Brand
`,
		Query: map[string]any{
			"products": []any{product("p1"), product("p2")},
			"search":   []any{obj{"__typename": "Brand", "name": "Stetson"}, product("p1")},
		},
		Entities: map[string]func(map[string]any) obj{"Product": func(r map[string]any) obj { return product(r["id"].(string)) }},
	}
	shipping := toysubgraph.Subgraph{
		Name: "shipping",
		SDL: fed2 + `
type Product @key(fields: "id") { id: ID! weight: Float @external cost: Float @requires(fields: "weight") }
`,
		Entities: map[string]func(map[string]any) obj{"Product": func(r map[string]any) obj {
			w, ok := r["weight"].(float64)
			if !ok {
				return obj{"__typename": "Product", "id": r["id"], "cost": fmt.Errorf("weight was not sent")}
			}
			return obj{"__typename": "Product", "id": r["id"], "cost": 10 * w}
		}},
	}
	return []toysubgraph.Subgraph{catalog, shipping}
}

func TestSupergraphSDL_theRouterServesFromAnApolloFormatSupergraph(t *testing.T) {
	g := &gateway{subgraphs: map[string]*toysubgraph.Server{}}
	for _, sg := range supergraphSubgraphs() {
		g.subgraphs[sg.Name] = toysubgraph.Start(t, sg)
	}
	path := filepath.Join(t.TempDir(), "supergraph.graphql")
	sdl := fmt.Sprintf(apolloSupergraph, g.subgraphs["catalog"].Endpoint(), g.subgraphs["shipping"].Endpoint())
	if err := os.WriteFile(path, []byte(sdl), 0o644); err != nil {
		t.Fatal(err)
	}
	// What `router serve -supergraph supergraph.graphql` does.
	sg, err := config.LoadSupergraph(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(sg.Subgraphs) != 2 || sg.Subgraphs[0].Name != "catalog" || sg.Subgraphs[0].RoutingURL != g.subgraphs["catalog"].Endpoint() ||
		sg.Subgraphs[1].Name != "shipping" || sg.Subgraphs[1].RoutingURL != g.subgraphs["shipping"].Endpoint() {
		t.Fatalf("want catalog and shipping with their URLs: %+v", sg.Subgraphs)
	}
	shippingSDL := sg.Subgraphs[1].Schema.SDL
	if !strings.Contains(shippingSDL, "weight: Float @external") || !strings.Contains(shippingSDL, `cost: Float @requires(fields: "weight")`) ||
		strings.Contains(shippingSDL, "name: String") {
		t.Fatalf("shipping's recovered SDL:\n%s", shippingSDL)
	}
	if err := g.serve(t, sg); err != nil {
		t.Fatalf("compose the recovered subgraphs: %v", err)
	}
	res := g.query(t, `{ products { id name cost } search { ... on Brand { name } ... on Named { name } } }`, nil)
	wantData(t, res, `{"products":[{"id":"p1","name":"Trilby","cost":5},{"id":"p2","name":"Parka","cost":20}],"search":[{"name":"Stetson"},{"name":"Trilby"}]}`)
	if s := res.Sent["shipping"]; len(s) != 1 || !strings.Contains(s[0], `"weight":0.5`) {
		t.Fatalf("want shipping asked once with the required weight: %v", res.Sent)
	}
	// @inaccessible survives the round trip.
	res = g.query(t, `{ products { category } }`, nil)
	sameJSON(t, `{"products":[{"category":"HATS"},{"category":null}]}`, res.Data)
	if len(res.Errors) != 1 {
		t.Fatalf("want one field error for the inaccessible value: %s", res.Body)
	}
}

func TestSupergraphSDL_aSupergraphWithoutJoinGraphsIsRefusedWithAClearError(t *testing.T) {
	_, err := config.ParseSupergraphSDL([]byte(`type Query { a: Int }`))
	if err == nil || !strings.Contains(err.Error(), "join__Graph") {
		t.Fatalf("want an error naming join__Graph, got %v", err)
	}
}
