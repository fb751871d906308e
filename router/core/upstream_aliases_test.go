package core

import (
	"strings"
	"testing"
)

func TestLoosenMemberFields_onlyFieldsDifferingInNullabilityBetweenMembers(t *testing.T) {
	sdl := `
type Query { things: [Thing] }
union Thing = A | B | C
type A { id: ID! name: String! tags: [String!]! size: Int! }
type B { id: ID! name: String tags: [String] size: String }
type C { id: ID! }
type Loner { name: String! }
`
	out, names, err := loosenMemberFields(sdl)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || !names["name"] || !names["tags"] {
		t.Fatalf("loosened %v, want name and tags (size differs in type, id agrees)", names)
	}
	for _, want := range []string{"name: String\n", "tags: [String]\n", "size: Int!", "id: ID!"} {
		if !strings.Contains(out, want) {
			t.Errorf("loosened SDL lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "type Loner {\n\tname: String!\n}") {
		t.Errorf("Loner is no member: its name stays String!:\n%s", out)
	}
}

func TestAliasConflictingFields_aliasesTheSecondTypeConditionInlineAndInFragments(t *testing.T) {
	fields := map[string]bool{"name": true}
	q, changed := aliasConflictingFields(`query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on A { id name } ... on B { id name } } }`, fields)
	if !changed || !strings.Contains(q, "dzh__name__1: name") || strings.Count(q, "dzh__") != 1 {
		t.Fatalf("inline fragments: %v %s", changed, q)
	}
	q, changed = aliasConflictingFields(`{ things { ...a ...b } } fragment a on A { name } fragment b on B { name }`, fields)
	if !changed || strings.Count(q, "dzh__name__") != 1 {
		t.Fatalf("fragment spreads: %v %s", changed, q)
	}
	if q, changed := aliasConflictingFields(`{ things { ... on A { name } } other { ... on B { name } } }`, fields); changed {
		t.Fatalf("different selection sets need no alias: %s", q)
	}
}

func TestUnalias_renamesTheRoutersAliasesInDataKeysAndErrorPathsOnly(t *testing.T) {
	doc := map[string]any{
		"data": map[string]any{"things": []any{
			map[string]any{"__typename": "B", "dzh__name__1": "dzh__name__7"},
			map[string]any{"__typename": "A", "name": "a", "dzh__name__1": "a"},
		}},
		"errors": []any{map[string]any{"message": "x", "path": []any{"things", 0, "dzh__name__1"}}},
	}
	out := unalias(doc).(map[string]any)
	things := out["data"].(map[string]any)["things"].([]any)
	if b := things[0].(map[string]any); b["name"] != "dzh__name__7" || len(b) != 2 {
		t.Errorf("B = %v: the key renamed, the value (data) kept", b)
	}
	if a := things[1].(map[string]any); a["name"] != "a" || len(a) != 2 {
		t.Errorf("A = %v", a)
	}
	if p := out["errors"].([]any)[0].(map[string]any)["path"].([]any); p[2] != "name" {
		t.Errorf("error path = %v", p)
	}
}

func TestLoosenMemberFields_entitiesAreOneGroup(t *testing.T) {
	sdl := `
type User @key(fields: "id") { id: ID! orders: OrderConnection! }
type Restaurant @key(fields: "id") { id: ID! orders: OrderConnection }
type OrderConnection { total: Int }
`
	_, names, err := loosenMemberFields(sdl)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || !names["orders"] {
		t.Fatalf("loosened %v, want orders (User and Restaurant can share one _entities call)", names)
	}
}
