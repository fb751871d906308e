package core

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestExtractedVariables_areWhatNormalisationAddedAndOnlyWhenTheCallersAreKept(t *testing.T) {
	cases := []struct {
		name, given, final, extracted string
		reusable                      bool
	}{
		{"nothing added", `{"n":1}`, `{"n":1}`, ``, true},
		{"no variables", ``, ``, ``, true},
		{"inline arguments extracted", `{"n":1}`, `{"n":1,"a":2,"b":"x"}`, `"a":2,"b":"x"`, true},
		{"from no variables", ``, `{"a":[1,2]}`, `"a":[1,2]`, true},
		{"formatting differs", "{ \"n\" : [1, 2] }", `{"n":[1,2],"a":true}`, `"a":true`, true},
		{"a value coerced to a list", `{"n":1}`, `{"n":[1]}`, ``, false},
		{"an unused variable dropped", `{"n":1,"x":2}`, `{"n":1}`, ``, false},
		{"defaults injected into an object", `{"o":{}}`, `{"o":{"d":1}}`, ``, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := extractedVariables([]byte(c.given), []byte(c.final))
			if ok != c.reusable || string(got) != c.extracted {
				t.Fatalf("got %q reusable %v, want %q %v", got, ok, c.extracted, c.reusable)
			}
		})
	}
}

func TestPreparedPlan_variablesAreTheCallersOwnPlusTheExtracted(t *testing.T) {
	p := &preparedPlan{extracted: []byte(`"a":2`)}
	for given, want := range map[string]string{
		`{"n":7}`:       `{"n":7,"a":2}`,
		` { "n" : 8 } `: `{"n":8,"a":2}`,
		`{}`:            `{"a":2}`,
		``:              `{"a":2}`,
		`null`:          `{"a":2}`,
	} {
		var g, w any
		out := p.variables([]byte(given))
		if err := json.Unmarshal(out, &g); err != nil {
			t.Fatalf("%q gave invalid JSON %s", given, out)
		}
		_ = json.Unmarshal([]byte(want), &w)
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%q: got %s, want %s", given, out, want)
		}
	}
	// Each call builds its own slice: one request's values never end up in another's.
	a, b := p.variables([]byte(`{"n":1}`)), p.variables([]byte(`{"n":2}`))
	if string(a) != `{"n":1,"a":2}` || string(b) != `{"n":2,"a":2}` {
		t.Fatalf("got %s and %s", a, b)
	}
	if q := (&preparedPlan{}); string(q.variables([]byte(`{"n":3}`))) != `{"n":3}` {
		t.Fatal("without extracted members the caller's variables are used as they are")
	}
}
