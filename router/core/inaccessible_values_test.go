package core

import (
	"strings"
	"sync"
	"testing"
)

const (
	hiddenEnumSupergraph = `type Query { orders(status: Status): [Order!]! }
type Order { id: ID! status: Status }
enum Status { OPEN DONE INTERNAL_REVIEW }`
	hiddenEnumClient = `type Query { orders(status: Status): [Order!]! }
type Order { id: ID! status: Status }
enum Status { OPEN DONE }`
)

// Each text is loaded against the client schema once; the answers on a warm cache are
// the ones a fresh load gives, for every caller's variables and every response.
func TestInaccessibleValues_loadEachTextOnceAndDecideEveryRequestAlike(t *testing.T) {
	iv, err := newInaccessibleValues(hiddenEnumSupergraph, hiddenEnumClient)
	if err != nil || iv == nil {
		t.Fatalf("newInaccessibleValues: %v, %v", iv, err)
	}
	withVar := `query Q($s: Status) { orders(status: $s) { id status } }`
	literal := `query L { orders(status: INTERNAL_REVIEW) { id } }`
	var wg sync.WaitGroup
	errs := make(chan string, 400)
	for i := range 100 {
		wg.Go(func() {
			if err := iv.checkInput(literal, "L", nil); err == nil {
				errs <- "a hidden literal was accepted"
			}
			vars := `{"s":"OPEN"}`
			if i%2 == 1 {
				vars = `{"s":"INTERNAL_REVIEW"}`
			}
			err := iv.checkInput(withVar, "Q", []byte(vars))
			if (i%2 == 1) != (err != nil) {
				errs <- "variables " + vars + ": got " + errString(err)
			}
			out := string(iv.hideOutput(withVar, "Q", []byte(`{"data":{"orders":[{"id":"1","status":"OPEN"},{"id":"2","status":"INTERNAL_REVIEW"}]}}`)))
			if !strings.Contains(out, `{"id":"2","status":null}`) || !strings.Contains(out, `"status":"OPEN"`) || !strings.Contains(out, "INACCESSIBLE_VALUE") {
				errs <- "output: " + out
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if n := iv.loaded.Len(); n != 2 {
		t.Fatalf("%d texts loaded, want 2", n)
	}
	first, _ := iv.load(withVar)
	again, _ := iv.load(withVar)
	if first == nil || first != again {
		t.Fatal("the second load of a text parsed it again")
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
