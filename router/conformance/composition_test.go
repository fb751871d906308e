package conformance_test

import (
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/router/conformance/toysubgraph"
)

// books is an owner of Book and Movie titles, entered by id.
func titles() toysubgraph.Subgraph {
	return toysubgraph.Subgraph{
		Name: "titles",
		SDL: fed2 + `
type Book @key(fields: "id") { id: ID! title: String @shareable }
type Movie @key(fields: "id") { id: ID! title: String @shareable }
`,
		Entities: map[string]func(map[string]any) obj{
			"Book":  func(r map[string]any) obj { return obj{"__typename": "Book", "id": r["id"], "title": "from titles"} },
			"Movie": func(r map[string]any) obj { return obj{"__typename": "Movie", "id": r["id"], "title": "from titles"} },
		},
	}
}

// interfaceShelf provides Book and Movie titles through an interface-typed root field.
func interfaceShelf() toysubgraph.Subgraph {
	shelf := toysubgraph.Subgraph{
		Name: "shelf",
		SDL: fed2 + `
type Query { shelf: [Media] @provides(fields: "... on Book { title } ... on Movie { title }") }
interface Media { id: ID! }
type Book implements Media @key(fields: "id") { id: ID! title: String @external }
type Movie implements Media @key(fields: "id") { id: ID! title: String @external }
`,
		Query: map[string]any{"shelf": []any{
			obj{"__typename": "Book", "id": "b1", "title": "Abai Zholy"},
			obj{"__typename": "Movie", "id": "m1", "title": "Kelin"},
		}},
	}
	return shelf
}

func TestComposition_providesOnAnInterfaceFieldWithInlineFragmentsComposesAndAnswers(t *testing.T) {
	g := startGateway(t, interfaceShelf(), titles())
	res := g.query(t, `{ shelf { __typename id ... on Book { title } ... on Movie { title } } }`, nil)
	if len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"__typename":"Movie","id":"m1","title":`) {
		t.Fatalf("want every member with its title: %s", res.Body)
	}
}

func TestComposition_providesOnAnInterfaceFieldWithInlineFragmentsIsServedFromTheProvidingSubgraph(t *testing.T) {
	needsEngineFix(t, "the rc.231 planner ignores @provides selections made of inline fragments and fetches the provided fields from their owner")
	g := startGateway(t, interfaceShelf(), titles())
	res := g.query(t, `{ shelf { __typename id ... on Book { title } ... on Movie { title } } }`, nil)
	wantData(t, res, `{"shelf":[{"__typename":"Book","id":"b1","title":"Abai Zholy"},{"__typename":"Movie","id":"m1","title":"Kelin"}]}`)
	if len(res.Sent["titles"]) != 0 {
		t.Fatalf("titles was asked for provided fields: %v", res.Sent["titles"])
	}
}

// unionShelf provides Book and Movie titles through a union-typed root field.
func unionShelf() toysubgraph.Subgraph {
	shelf := toysubgraph.Subgraph{
		Name: "shelf",
		SDL: fed2 + `
type Query { picks: [Pick] @provides(fields: "... on Book { title } ... on Movie { title }") }
union Pick = Book | Movie
type Book @key(fields: "id") { id: ID! title: String @external }
type Movie @key(fields: "id") { id: ID! title: String @external }
`,
		Query: map[string]any{"picks": []any{
			obj{"__typename": "Movie", "id": "m1", "title": "Kelin"},
			obj{"__typename": "Book", "id": "b1", "title": "Abai Zholy"},
		}},
	}
	return shelf
}

func TestComposition_providesOnAUnionFieldWithInlineFragmentsComposesAndAnswers(t *testing.T) {
	g := startGateway(t, unionShelf(), titles())
	res := g.query(t, `{ picks { ... on Book { id title } ... on Movie { id title } } }`, nil)
	if len(res.Errors) > 0 || !strings.Contains(string(res.Data), `{"id":"m1","title":`) || !strings.Contains(string(res.Data), `{"id":"b1","title":`) {
		t.Fatalf("want every member with its title: %s", res.Body)
	}
}

func TestComposition_providesOnAUnionFieldWithInlineFragmentsIsServedFromTheProvidingSubgraph(t *testing.T) {
	needsEngineFix(t, "the pinned composer refuses @provides on a union-typed field, so the router drops that @provides before composing (pkg/compose normaliseSDL); "+
		"the provided titles are then fetched from their owner")
	g := startGateway(t, unionShelf(), titles())
	res := g.query(t, `{ picks { ... on Book { id title } ... on Movie { id title } } }`, nil)
	wantData(t, res, `{"picks":[{"id":"m1","title":"Kelin"},{"id":"b1","title":"Abai Zholy"}]}`)
	if len(res.Sent["titles"]) != 0 {
		t.Fatalf("titles was asked for provided fields: %v", res.Sent["titles"])
	}
}

func TestComposition_theSameFieldProvidedByTwoSubgraphsIsServedByEachWithoutTheOwner(t *testing.T) {
	owner := toysubgraph.Subgraph{
		Name: "catalog",
		SDL: fed2 + `
type Product @key(fields: "id") { id: ID! name: String @shareable price: Int }
`,
		Entities: map[string]func(map[string]any) obj{"Product": func(r map[string]any) obj {
			return obj{"__typename": "Product", "id": r["id"], "name": "from catalog", "price": 7}
		}},
	}
	provider := func(name, root, product string) toysubgraph.Subgraph {
		return toysubgraph.Subgraph{
			Name: name,
			SDL: fed2 + `
type Query { ` + root + `: [Product] @provides(fields: "name") }
type Product @key(fields: "id") { id: ID! name: String @external }
`,
			Query: map[string]any{root: []any{obj{"__typename": "Product", "id": "p1", "name": product}}},
		}
	}
	g := startGateway(t, owner, provider("deals", "deals", "Trilby"), provider("ads", "ads", "Fedora"))
	res := g.query(t, `{ deals { id name } ads { id name } }`, nil)
	wantData(t, res, `{"deals":[{"id":"p1","name":"Trilby"}],"ads":[{"id":"p1","name":"Fedora"}]}`)
	if len(res.Sent["catalog"]) != 0 {
		t.Fatalf("catalog was asked for a field both callers provide: %v", res.Sent["catalog"])
	}
	// A field neither provides still comes from the owner.
	res = g.query(t, `{ ads { name price } }`, nil)
	wantData(t, res, `{"ads":[{"name":"Fedora","price":7}]}`)
	if len(res.Sent["catalog"]) != 1 {
		t.Fatalf("want one catalog fetch for price: %v", res.Sent)
	}
}

func TestComposition_aNestedCompoundKeyIsSentWholeInEntityCalls(t *testing.T) {
	people := toysubgraph.Subgraph{
		Name: "people",
		SDL: fed2 + `
type Query { members: [Member] }
type Organization @shareable { id: ID! }
type Member @key(fields: "id organization { id }") { id: ID! organization: Organization! name: String }
`,
		Query: map[string]any{"members": []any{
			obj{"__typename": "Member", "id": "1", "organization": obj{"__typename": "Organization", "id": "kz"}, "name": "Ada"},
			obj{"__typename": "Member", "id": "1", "organization": obj{"__typename": "Organization", "id": "uk"}, "name": "Alan"},
		}},
	}
	mail := toysubgraph.Subgraph{
		Name: "mail",
		SDL: fed2 + `
type Organization @shareable { id: ID! }
type Member @key(fields: "id organization { id }") { id: ID! organization: Organization! email: String }
`,
		Entities: map[string]func(map[string]any) obj{"Member": func(r map[string]any) obj {
			org, _ := r["organization"].(map[string]any)
			orgID, _ := org["id"].(string)
			return obj{"__typename": "Member", "id": r["id"], "organization": org, "email": "member1@" + orgID}
		}},
	}
	g := startGateway(t, people, mail)
	res := g.query(t, `{ members { name email } }`, nil)
	wantData(t, res, `{"members":[{"name":"Ada","email":"member1@kz"},{"name":"Alan","email":"member1@uk"}]}`)
	if m := res.Sent["mail"]; len(m) != 1 || !strings.Contains(m[0], `"organization":{"id":"kz"}`) {
		t.Fatalf("want one entity call carrying the nested key: %v", m)
	}
}

func TestComposition_federation1SubgraphsExtendingTypesWithExternalKeysCompose(t *testing.T) {
	// Federation 1: no @link, entities declared with "extend type" and @external keys in
	// every subgraph, none of them the "base" definition.
	accounts := toysubgraph.Subgraph{
		Name: "accounts",
		SDL: `
type Query { users: [User] }
extend type User @key(fields: "id") { id: ID! @external name: String }
`,
		Query: map[string]any{"users": []any{obj{"__typename": "User", "id": "1", "name": "Ada"}, obj{"__typename": "User", "id": "2", "name": "Alan"}}},
		Entities: map[string]func(map[string]any) obj{"User": func(r map[string]any) obj {
			return obj{"__typename": "User", "id": r["id"], "name": map[any]string{"1": "Ada", "2": "Alan"}[r["id"]]}
		}},
	}
	ranks := toysubgraph.Subgraph{
		Name: "ranks",
		SDL: `
extend type User @key(fields: "id") { id: ID! @external rank: Int }
`,
		Entities: map[string]func(map[string]any) obj{"User": func(r map[string]any) obj {
			return obj{"__typename": "User", "id": r["id"], "rank": map[any]int{"1": 10, "2": 20}[r["id"]]}
		}},
	}
	g := startGateway(t, accounts, ranks)
	res := g.query(t, `{ users { id name rank } }`, nil)
	wantData(t, res, `{"users":[{"id":"1","name":"Ada","rank":10},{"id":"2","name":"Alan","rank":20}]}`)
}
