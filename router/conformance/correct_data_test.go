package conformance_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/router/conformance/toysubgraph"
)

func TestCorrectData_anEntityIsNeverFetchedThroughAKeyThatIsNotResolvableInThatSubgraph(t *testing.T) {
	posts := toysubgraph.Subgraph{
		Name: "posts",
		SDL: fed2 + `
type Query { feed: [Post] }
type Post { id: ID! author: User }
type User @key(fields: "id", resolvable: false) { id: ID! }
`,
		Query: map[string]any{"feed": []any{obj{"__typename": "Post", "id": "1", "author": obj{"__typename": "User", "id": "u1"}}}},
		Entities: map[string]func(map[string]any) obj{"User": func(r map[string]any) obj {
			return obj{"__typename": "User", "id": r["id"]}
		}},
	}
	users := toysubgraph.Subgraph{
		Name: "users",
		SDL: fed2 + `
type Query { user(id: ID!): User }
type User @key(fields: "id") { id: ID! name: String }
`,
		Query: map[string]any{"user": args(func(a map[string]any) any { return obj{"__typename": "User", "id": a["id"], "name": "Ada"} })},
		Entities: map[string]func(map[string]any) obj{"User": func(r map[string]any) obj {
			return obj{"__typename": "User", "id": r["id"], "name": "Ada"}
		}},
	}
	g := startGateway(t, posts, users)
	res := g.query(t, `{ feed { author { id name } } }`, nil)
	wantData(t, res, `{"feed":[{"author":{"id":"u1","name":"Ada"}}]}`)
	// Entering posts from users' User would need posts to resolve User: it cannot.
	res = g.query(t, `{ user(id: "u1") { id name } }`, nil)
	wantData(t, res, `{"user":{"id":"u1","name":"Ada"}}`)
	for _, b := range g.subgraphs["posts"].Bodies() {
		if strings.Contains(b, "_entities") {
			t.Fatalf("posts' User key is resolvable: false, yet posts got an entity call: %s", b)
		}
	}
}

// shipping requires Product.weight(unit:) and takes arguments of its own.
func requiresWithArguments() []toysubgraph.Subgraph {
	weights := map[string]float64{"p1": 2, "p2": 5}
	catalog := toysubgraph.Subgraph{
		Name: "catalog",
		SDL: fed2 + `
type Query { products: [Product] }
type Product @key(fields: "id") { id: ID! weight(unit: String!): Float }
`,
		Query: map[string]any{"products": []any{obj{"__typename": "Product", "id": "p1"}, obj{"__typename": "Product", "id": "p2"}}},
		Entities: map[string]func(map[string]any) obj{"Product": func(r map[string]any) obj {
			id, _ := r["id"].(string)
			return obj{"__typename": "Product", "id": id, "weight": args(func(a map[string]any) any {
				if a["unit"] == "GRAM" {
					return weights[id] * 1000
				}
				return weights[id]
			})}
		}},
	}
	catalog.Query["products"] = []any{catalog.Entities["Product"](map[string]any{"id": "p1"}), catalog.Entities["Product"](map[string]any{"id": "p2"})}
	shipping := toysubgraph.Subgraph{
		Name: "shipping",
		SDL: fed2 + `
type Product @key(fields: "id") {
  id: ID!
  weight(unit: String!): Float @external
  shippingCost(zone: Int!): String @requires(fields: "weight(unit: \"KILOGRAM\")")
}
`,
		Entities: map[string]func(map[string]any) obj{"Product": func(r map[string]any) obj {
			w, ok := r["weight"].(float64)
			return obj{"__typename": "Product", "id": r["id"], "shippingCost": args(func(a map[string]any) any {
				if !ok {
					return fmt.Errorf("weight was not sent: %v", r)
				}
				zone := number(a["zone"])
				return fmt.Sprintf("%gkg in zone %g costs %g", w, zone, w*zone)
			})}
		}},
	}
	return []toysubgraph.Subgraph{catalog, shipping}
}

func TestCorrectData_requiresOnAFieldWithArgumentsGetsTheRequiredValueAndEachAliasItsOwnArguments(t *testing.T) {
	g := startGateway(t, requiresWithArguments()...)
	res := g.query(t, `{ products { id near: shippingCost(zone: 1) far: shippingCost(zone: 3) } }`, nil)
	wantData(t, res, `{"products":[
		{"id":"p1","near":"2kg in zone 1 costs 2","far":"2kg in zone 3 costs 6"},
		{"id":"p2","near":"5kg in zone 1 costs 5","far":"5kg in zone 3 costs 15"}]}`)
	// The client's own weight(unit:) argument does not leak into the required one.
	res = g.query(t, `{ products { grams: weight(unit: "GRAM") shippingCost(zone: 2) } }`, nil)
	wantData(t, res, `{"products":[
		{"grams":2000,"shippingCost":"2kg in zone 2 costs 4"},
		{"grams":5000,"shippingCost":"5kg in zone 2 costs 10"}]}`)
}

func TestCorrectData_aShareableRootFieldIsResolvedFromTheSubgraphThatCanSatisfyTheWholeSelection(t *testing.T) {
	// Both subgraphs serve Query.product, but only "full" knows price.
	lite := toysubgraph.Subgraph{
		Name: "lite",
		SDL: fed2 + `
type Query { product: Product @shareable }
type Product @shareable { id: ID! name: String }
`,
		Query: map[string]any{"product": obj{"__typename": "Product", "id": "p1", "name": "Trilby"}},
	}
	full := toysubgraph.Subgraph{
		Name: "full",
		SDL: fed2 + `
type Query { product: Product @shareable }
type Product @shareable { id: ID! name: String price: Int }
`,
		Query: map[string]any{"product": obj{"__typename": "Product", "id": "p1", "name": "Trilby", "price": 12}},
	}
	g := startGateway(t, lite, full)
	res := g.query(t, `{ product { id name price } }`, nil)
	wantData(t, res, `{"product":{"id":"p1","name":"Trilby","price":12}}`)
	if len(res.Sent["lite"]) != 0 || len(res.Sent["full"]) != 1 {
		t.Fatalf("want full alone to answer: %v", res.Sent)
	}
}

func TestCorrectData_aShareableUnionFieldIsResolvedFromTheSubgraphThatHasEveryMemberAsked(t *testing.T) {
	// Both serve Query.media; Movie is a member only in "cinema".
	library := toysubgraph.Subgraph{
		Name: "library",
		SDL: fed2 + `
type Query { media: [Media] @shareable }
union Media = Book
type Book @shareable { title: String }
`,
		Query: map[string]any{"media": []any{obj{"__typename": "Book", "title": "Abai Zholy"}}},
	}
	cinema := toysubgraph.Subgraph{
		Name: "cinema",
		SDL: fed2 + `
type Query { media: [Media] @shareable }
union Media = Book | Movie
type Book @shareable { title: String }
type Movie { title: String }
`,
		Query: map[string]any{"media": []any{obj{"__typename": "Book", "title": "Abai Zholy"}, obj{"__typename": "Movie", "title": "Kelin"}}},
	}
	g := startGateway(t, library, cinema)
	res := g.query(t, `{ media { __typename ... on Book { title } ... on Movie { title } } }`, nil)
	wantData(t, res, `{"media":[{"__typename":"Book","title":"Abai Zholy"},{"__typename":"Movie","title":"Kelin"}]}`)
}

// number reads a numeric argument however it was decoded.
func number(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return 0
}
