package core_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestClientSchema_introspectionShowsOnlyTheAPI asks the router for its schema the way the
// explorer does and finds no federation internals: no openfed__ (or link__, join__) type,
// no @authenticated, @inaccessible, @requiresScopes or @tag; the API's own types,
// fields and the built-in directives are all there.
func TestClientSchema_introspectionShowsOnlyTheAPI(t *testing.T) {
	r := startRouter(t, "")
	got := r.post(t, `{ __schema { types { name } directives { name } } gated: __type(name: "Query") { fields { name } } scope: __type(name: "openfed__Scope") { name } }`, nil)
	if got.Status != 200 || len(got.Errors) > 0 {
		t.Fatalf("introspection: %d %s", got.Status, got.Body)
	}
	var out struct {
		Schema struct {
			Types      []struct{ Name string }
			Directives []struct{ Name string }
		} `json:"__schema"`
		Gated struct{ Fields []struct{ Name string } }
		Scope *struct{ Name string }
	}
	if err := json.Unmarshal(got.Data, &out); err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, ty := range out.Schema.Types {
		types[ty.Name] = true
		if strings.HasPrefix(ty.Name, "openfed__") || strings.HasPrefix(ty.Name, "link__") || strings.HasPrefix(ty.Name, "join__") {
			t.Errorf("introspection shows the federation type %s", ty.Name)
		}
	}
	if out.Scope != nil {
		t.Errorf(`__type(name: "openfed__Scope") = %+v; want null`, out.Scope)
	}
	directives := map[string]bool{}
	for _, d := range out.Schema.Directives {
		directives[d.Name] = true
		switch d.Name {
		case "authenticated", "inaccessible", "requiresScopes", "tag", "link", "composeDirective":
			t.Errorf("introspection shows the federation directive @%s", d.Name)
		}
	}
	for _, want := range []string{"Query", "Mutation", "Subscription", "User", "Product", "String"} {
		if !types[want] {
			t.Errorf("introspection lacks the type %s: %s", want, got.Body)
		}
	}
	for _, want := range []string{"include", "skip", "deprecated"} {
		if !directives[want] {
			t.Errorf("introspection lacks the directive @%s", want)
		}
	}
	if len(out.Gated.Fields) == 0 {
		t.Errorf("Query has no fields: %s", got.Body)
	}
	// The API still answers, gates included.
	if res := r.post(t, `{ topProducts(first: 1) { upc } }`, nil); res.Status != 200 || len(res.Errors) > 0 {
		t.Errorf("a query after the schema was cleaned: %d %s", res.Status, res.Body)
	}
}
