package core

import (
	"errors"
	"testing"
)

func TestVariablesShape_keepsStructureAndKindsAndDropsValues(t *testing.T) {
	same := [][2]string{
		{`{"a":1,"b":"x"}`, `{"a":2,"b":"y"}`},
		{`{"l":[1,2]}`, `{"l":[3,4]}`},
		{``, ``},
	}
	for _, c := range same {
		if variablesShape([]byte(c[0])) != variablesShape([]byte(c[1])) {
			t.Errorf("%s and %s should have one shape", c[0], c[1])
		}
	}
	differ := [][2]string{
		{`{"a":1}`, `{"a":"1"}`},
		{`{"a":1}`, `{"a":null}`},
		{`{"a":1}`, `{"b":1}`},
		{`{"l":[1]}`, `{"l":[1,2]}`},
		{`{"o":{"x":1}}`, `{"o":{"x":true}}`},
		{`{"a:n,b":1}`, `{"a":1,"b":1}`},
		{`{"a":1}`, `{"a":1`},
		{``, `{}`},
		// @skip/@include with a variable change the normalised operation: booleans keep
		// their value.
		{`{"s":true}`, `{"s":false}`},
	}
	for _, c := range differ {
		if variablesShape([]byte(c[0])) == variablesShape([]byte(c[1])) {
			t.Errorf("%s and %s should have different shapes (%q)", c[0], c[1], variablesShape([]byte(c[0])))
		}
	}
}

func TestOperationCache_remembersValidationPerVariablesShape(t *testing.T) {
	c := newOperationCache()
	q := `query Q($n: Int) { topProducts(first: $n) { upc } }`
	e := c.lookup(q, "Q")
	if e != c.lookup(q, "Q") {
		t.Fatal("the same operation text must hit the cache")
	}
	if e == c.lookup(q, "") || e == c.lookup(q+" ", "Q") {
		t.Fatal("another name or text must not share the entry")
	}
	if e.opTypeErr != nil || opTypeName(e.opType) != "query" || !e.inspected.ok || e.inspected.name != "Q" || e.doc == nil || e.op == nil {
		t.Fatalf("entry not filled: %+v", e)
	}
	calls := 0
	refused := errors.New("refused")
	validate := func(result error) func() error {
		return func() error { calls++; return result }
	}
	if err := e.validation([]byte(`{"n":1}`), validate(nil)); err != nil || calls != 1 {
		t.Fatalf("first validation: err %v, calls %d", err, calls)
	}
	if err := e.validation([]byte(`{"n":7}`), validate(refused)); err != nil || calls != 1 {
		t.Fatalf("same shape must reuse the result: err %v, calls %d", err, calls)
	}
	if err := e.validation([]byte(`{"n":"seven"}`), validate(refused)); err != refused || calls != 2 {
		t.Fatalf("another shape must be validated: err %v, calls %d", err, calls)
	}
	if err := e.validation([]byte(`{"n":"eight"}`), validate(nil)); err != refused || calls != 2 {
		t.Fatalf("a refusal is remembered for its shape too: err %v, calls %d", err, calls)
	}
}

func TestOperationCache_knowsIntrospectionAndBadText(t *testing.T) {
	c := newOperationCache()
	if e := c.lookup(`{ topProducts { upc } __schema { queryType { name } } }`, ""); !e.introspection {
		t.Fatal("an operation mentioning __schema is introspection")
	}
	if e := c.lookup(`{ topProducts { upc }`, ""); e.opTypeErr == nil || e.doc != nil {
		t.Fatalf("a text that does not parse: %+v", e)
	}
}
