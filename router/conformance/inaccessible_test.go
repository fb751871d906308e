package conformance_test

import (
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/router/conformance/toysubgraph"
)

func paints() toysubgraph.Subgraph {
	return toysubgraph.Subgraph{
		Name: "paints",
		SDL: fed2 + `
type Query {
  paint(color: Color!): String
  favourite: Color
  palette: [Color]
}
enum Color { RED BLUE SECRET_GREEN @inaccessible }
`,
		Query: map[string]any{
			"paint":     args(func(a map[string]any) any { return "painted " + a["color"].(string) }),
			"favourite": "SECRET_GREEN",
			"palette":   []any{"RED", "SECRET_GREEN", "BLUE"},
		},
	}
}

func TestInaccessible_anInaccessibleEnumValueIsRefusedInInput(t *testing.T) {
	g := startGateway(t, paints())
	res := g.query(t, `{ paint(color: RED) }`, nil)
	wantData(t, res, `{"paint":"painted RED"}`)
	for _, c := range []struct {
		query string
		vars  map[string]any
	}{
		{`{ paint(color: SECRET_GREEN) }`, nil},
		{`query($c: Color!) { paint(color: $c) }`, map[string]any{"c": "SECRET_GREEN"}},
	} {
		res := g.query(t, c.query, c.vars)
		if len(res.Errors) == 0 || !strings.Contains(res.Body, "SECRET_GREEN") {
			t.Fatalf("want an error naming the inaccessible value: %s", res.Body)
		}
		if code := res.Errors[0].Extensions["code"]; code != "GRAPHQL_VALIDATION_FAILED" && code != "BAD_USER_INPUT" {
			t.Fatalf("want a validation or bad input code: %s", res.Body)
		}
		if len(res.Data) != 0 && string(res.Data) != "null" {
			t.Fatalf("want no data: %s", res.Body)
		}
		if len(res.Sent) != 0 {
			t.Fatalf("the subgraph was called: %v", res.Sent)
		}
	}
}

// The router remembers what it learnt from an operation's text per variables shape
// (core/operation_cache.go, core/prepared_plans.go); an enum value is a value, not a
// shape: the same text that ran with RED must still refuse SECRET_GREEN.
func TestInaccessible_anInaccessibleEnumValueInAVariableIsRefusedAfterTheSameTextRanWithAnAccessibleOne(t *testing.T) {
	g := startGateway(t, paints())
	q := `query P($c: Color!) { paint(color: $c) }`
	for i := 0; i < 2; i++ {
		wantData(t, g.query(t, q, map[string]any{"c": "RED"}), `{"paint":"painted RED"}`)
	}
	res := g.query(t, q, map[string]any{"c": "SECRET_GREEN"})
	if len(res.Errors) == 0 || !strings.Contains(res.Body, "SECRET_GREEN") || len(res.Sent) != 0 {
		t.Fatalf("want an error naming the inaccessible value and no subgraph call: %s (sent %v)", res.Body, res.Sent)
	}
}

func TestInaccessible_anInaccessibleEnumValueInOutputIsAFieldErrorAndNull(t *testing.T) {
	g := startGateway(t, paints())
	res := g.query(t, `{ favourite palette }`, nil)
	if strings.Contains(string(res.Data), "SECRET_GREEN") || strings.Contains(res.Body, `"SECRET_GREEN"`) {
		t.Fatalf("the inaccessible value leaked: %s", res.Body)
	}
	// favourite is nullable: null with an error at its path; palette's items are
	// nullable: the inaccessible one is null with an error at its index.
	sameJSON(t, `{"favourite":null,"palette":["RED",null,"BLUE"]}`, res.Data)
	paths := map[string]bool{}
	for _, e := range res.Errors {
		paths[strings.Trim(strings.Join(strings.Fields(strings.Trim(strings.ReplaceAll(strings.ReplaceAll(jsonString(e.Path), ",", " "), `"`, ""), "[]")), "."), ".")] = true
	}
	if !paths["favourite"] || !paths["palette.1"] {
		t.Fatalf("want field errors at favourite and palette.1: %s", res.Body)
	}
}

func TestInaccessible_anInaccessibleTypeNeverLeaksThroughTypename(t *testing.T) {
	zoo := toysubgraph.Subgraph{
		Name: "zoo",
		SDL: fed2 + `
type Query { animals: [Animal] pet: Animal }
interface Animal { name: String }
type Dog implements Animal { name: String }
type Ghost implements Animal @inaccessible { name: String }
`,
		Query: map[string]any{
			"animals": []any{obj{"__typename": "Dog", "name": "Rex"}, obj{"__typename": "Ghost", "name": "Boo"}},
			"pet":     obj{"__typename": "Ghost", "name": "Boo"},
		},
	}
	g := startGateway(t, zoo)
	for _, q := range []string{`{ animals { __typename name } }`, `{ pet { __typename } }`, `{ animals { ... on Animal { t: __typename } } }`} {
		res := g.query(t, q, nil)
		if strings.Contains(res.Body, "Ghost") {
			t.Fatalf("the inaccessible type leaked: %s", res.Body)
		}
		if !strings.Contains(q, "pet") && !strings.Contains(string(res.Data), "Dog") {
			t.Fatalf("want the accessible member answered: %s", res.Body)
		}
		if len(res.Errors) == 0 {
			t.Fatalf("want a field error where the inaccessible object was: %s", res.Body)
		}
	}
}
