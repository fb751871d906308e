package core

import (
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestStripFederationInternals_theRealSupergraphKeepsOnlyItsAPI strips the checked-in
// supergraph: no federation directive or openfed__ type is left, the rest still loads as
// a schema with every type it had, and descriptions are untouched.
func TestStripFederationInternals_theRealSupergraphKeepsOnlyItsAPI(t *testing.T) {
	raw, err := os.ReadFile("../../schema/supergraph.graphql")
	if err != nil {
		t.Fatal(err)
	}
	sdl := string(raw)
	out, err := stripFederationInternals(sdl)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"@authenticated", "@inaccessible", "@requiresScopes", "@tag", "openfed__"} {
		if strings.Contains(out, gone) {
			t.Errorf("the stripped schema still has %s", gone)
		}
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Input: out})
	if gqlErr != nil {
		t.Fatalf("the stripped schema does not load: %v", gqlErr)
	}
	for _, want := range []string{"Query", "Mutation", "Subscription", "Restaurant", "Order", "OrderConnection"} {
		if schema.Types[want] == nil {
			t.Errorf("the stripped schema lost %s", want)
		}
	}
	if len(sdl)-len(out) > 800 {
		t.Errorf("stripping removed %d bytes; only the federation definitions should go", len(sdl)-len(out))
	}
}
