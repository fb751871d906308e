package conformance_test

import (
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/router/conformance/toysubgraph"
)

// conflictingFieldsWhy is why the aliasing cases fail on the pinned engine.
const conflictingFieldsWhy = "the rc.231 planner does not alias fields whose types differ in nullability between members in the subgraph; " +
	"it refuses its own upstream operation (printOperation: validation failed: fields 'name' conflict) and the client gets INTERNAL_SERVER_ERROR"

func TestPlanning_sameResponseNameWithDifferentNullabilityAcrossUnionMembersIsAliasedForTheSubgraph(t *testing.T) {
	needsEngineFix(t, conflictingFieldsWhy)
	// In "things", A.name is String! and B.name is String: a subgraph refuses
	// "... on A { name } ... on B { name }" (fields conflict). In the supergraph both are
	// String (labels makes A.name nullable), so the client's query is valid and the
	// router must alias one of them in what it sends.
	things := toysubgraph.Subgraph{
		Name: "things",
		SDL: fed2 + `
type Query { things: [Thing] }
union Thing = A | B
type A @shareable { id: ID! name: String! }
type B { id: ID! name: String }
`,
		Query: map[string]any{"things": []any{
			obj{"__typename": "A", "id": "a1", "name": "alpha"},
			obj{"__typename": "B", "id": "b1", "name": nil},
		}},
	}
	labels := toysubgraph.Subgraph{
		Name: "labels",
		SDL: fed2 + `
type Query { anA: A }
type A @shareable { id: ID! name: String }
`,
		Query: map[string]any{"anA": obj{"__typename": "A", "id": "a9", "name": "nine"}},
	}
	g := startGateway(t, things, labels)
	res := g.query(t, `{ things { __typename ... on A { id name } ... on B { id name } } }`, nil)
	wantData(t, res, `{"things":[{"__typename":"A","id":"a1","name":"alpha"},{"__typename":"B","id":"b1","name":null}]}`)
}

func TestPlanning_sameResponseNameWithDifferentNullabilityAcrossInterfaceMembersIsAliasedForTheSubgraph(t *testing.T) {
	needsEngineFix(t, conflictingFieldsWhy)
	trips := toysubgraph.Subgraph{
		Name: "trips",
		SDL: fed2 + `
type Query { trips: [Trip] }
interface Trip { id: ID! }
type Flight implements Trip @shareable { id: ID! code: String! }
type Train implements Trip { id: ID! code: String }
`,
		Query: map[string]any{"trips": []any{
			obj{"__typename": "Flight", "id": "f1", "code": "KC921"},
			obj{"__typename": "Train", "id": "t1", "code": nil},
		}},
	}
	flights := toysubgraph.Subgraph{
		Name: "flights",
		SDL: fed2 + `
type Query { nextFlight: Flight }
type Flight @shareable { id: ID! code: String }
`,
		Query: map[string]any{"nextFlight": obj{"__typename": "Flight", "id": "f2", "code": nil}},
	}
	g := startGateway(t, trips, flights)
	res := g.query(t, `{ trips { id ... on Flight { code } ... on Train { code } } }`, nil)
	wantData(t, res, `{"trips":[{"id":"f1","code":"KC921"},{"id":"t1","code":null}]}`)
}

func TestPlanning_entityCallsThroughUnionMembersNeverSendAnEmptySelectionSet(t *testing.T) {
	feed := toysubgraph.Subgraph{
		Name: "feed",
		SDL: fed2 + `
type Query { items: [Item] }
union Item = Post | Ad
type Post @key(fields: "id") { id: ID! }
type Ad @key(fields: "id") { id: ID! }
`,
		Query: map[string]any{"items": []any{obj{"__typename": "Post", "id": "p1"}, obj{"__typename": "Ad", "id": "a1"}}},
	}
	text := toysubgraph.Subgraph{
		Name: "text",
		SDL: fed2 + `
type Post @key(fields: "id") { id: ID! body: String }
type Ad @key(fields: "id") { id: ID! }
`,
		Entities: map[string]func(map[string]any) obj{
			"Post": func(r map[string]any) obj { return obj{"__typename": "Post", "id": r["id"], "body": "hello"} },
			"Ad":   func(r map[string]any) obj { return obj{"__typename": "Ad", "id": r["id"]} },
		},
	}
	g := startGateway(t, feed, text)
	res := g.query(t, `{ items { __typename ... on Post { body } ... on Ad { id } } }`, nil)
	wantData(t, res, `{"items":[{"__typename":"Post","body":"hello"},{"__typename":"Ad","id":"a1"}]}`)
	for _, bodies := range res.Sent {
		for _, b := range bodies {
			if strings.Contains(strings.ReplaceAll(b, " ", ""), "{}") {
				t.Fatalf("an empty selection set was sent: %s", b)
			}
		}
	}
}

// nodes: an entity interface with its implementations (nodes), an @interfaceObject
// over it (extras), and a concrete member extended elsewhere (profiles).
func interfaceObjectGraph() []toysubgraph.Subgraph {
	nodes := toysubgraph.Subgraph{
		Name: "nodes",
		SDL: fed2 + `
interface Node @key(fields: "id") { id: ID! }
type Account implements Node @key(fields: "id") { id: ID! handle: String }
type Shop implements Node @key(fields: "id") { id: ID! }
`,
		Entities: map[string]func(map[string]any) obj{
			"Node": func(r map[string]any) obj {
				if r["id"] == "acc1" {
					return obj{"__typename": "Account", "id": "acc1", "handle": "ada"}
				}
				return obj{"__typename": "Shop", "id": r["id"]}
			},
			"Account": func(r map[string]any) obj { return obj{"__typename": "Account", "id": r["id"], "handle": "ada"} },
			"Shop":    func(r map[string]any) obj { return obj{"__typename": "Shop", "id": r["id"]} },
		},
	}
	extras := toysubgraph.Subgraph{
		Name: "extras",
		SDL: fed2 + `
type Query { featured: [Node] }
type Node @key(fields: "id") @interfaceObject { id: ID! score: Int }
`,
		Query: map[string]any{"featured": []any{obj{"__typename": "Node", "id": "acc1", "score": 5}, obj{"__typename": "Node", "id": "shop1", "score": 7}}},
	}
	profiles := toysubgraph.Subgraph{
		Name: "profiles",
		SDL: fed2 + `
type Account @key(fields: "id") { id: ID! bio: String }
`,
		Entities: map[string]func(map[string]any) obj{
			"Account": func(r map[string]any) obj { return obj{"__typename": "Account", "id": r["id"], "bio": "mathematician"} },
		},
	}
	return []toysubgraph.Subgraph{nodes, extras, profiles}
}

func TestPlanning_typenameOfObjectsReachedThroughAnInterfaceObjectIsTheConcreteType(t *testing.T) {
	g := startGateway(t, interfaceObjectGraph()...)
	res := g.query(t, `{ featured { __typename id score } }`, nil)
	wantData(t, res, `{"featured":[{"__typename":"Account","id":"acc1","score":5},{"__typename":"Shop","id":"shop1","score":7}]}`)
}

func TestPlanning_anIndirectExtensionOfAMemberIsReachedThroughAnInterfaceObject(t *testing.T) {
	g := startGateway(t, interfaceObjectGraph()...)
	res := g.query(t, `{ featured { __typename ... on Account { handle bio } } }`, nil)
	wantData(t, res, `{"featured":[{"__typename":"Account","handle":"ada","bio":"mathematician"},{"__typename":"Shop"}]}`)
}

func TestPlanning_anEntityCallGoesBackToTheParentEntitysSubgraph(t *testing.T) {
	catalog := toysubgraph.Subgraph{
		Name: "catalog",
		SDL: fed2 + `
type Query { products: [Product] }
type Product @key(fields: "id") { id: ID! name: String }
`,
		Query: map[string]any{"products": []any{obj{"__typename": "Product", "id": "p1", "name": "Trilby"}}},
		Entities: map[string]func(map[string]any) obj{"Product": func(r map[string]any) obj {
			return obj{"__typename": "Product", "id": r["id"], "name": map[any]string{"p1": "Trilby", "p2": "Fedora"}[r["id"]]}
		}},
	}
	reviews := toysubgraph.Subgraph{
		Name: "reviews",
		SDL: fed2 + `
type Product @key(fields: "id") { id: ID! topReview: Review }
type Review { body: String product: Product similar: Product }
`,
		Entities: map[string]func(map[string]any) obj{"Product": func(r map[string]any) obj {
			return obj{"__typename": "Product", "id": r["id"], "topReview": obj{"__typename": "Review", "body": "warm",
				"product": obj{"__typename": "Product", "id": r["id"]}, "similar": obj{"__typename": "Product", "id": "p2"}}}
		}},
	}
	g := startGateway(t, catalog, reviews)
	res := g.query(t, `{ products { name topReview { body product { id name } similar { id name } } } }`, nil)
	wantData(t, res, `{"products":[{"name":"Trilby","topReview":{"body":"warm","product":{"id":"p1","name":"Trilby"},"similar":{"id":"p2","name":"Fedora"}}}]}`)
}
