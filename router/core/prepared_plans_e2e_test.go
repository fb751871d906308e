package core_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// The prepared-plan cache (core/prepared_plans.go) through the real router and the
// test subgraphs: what one request prepared must never change another's answer.

func TestPreparedPlans_variablesOfConcurrentRequestsNeverLeakIntoEachOther(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	// first: $n comes from the caller; the aliased second list's literal 2 is extracted
	// into the variables by normalisation and must be added to every caller's own.
	q := `query Top($n: Int) { topProducts(first: $n) { upc } two: topProducts(first: 2) { upc } }`
	first := r.post(t, q, map[string]any{"n": 1})
	if len(first.Errors) > 0 {
		t.Fatalf("errors: %s", first.Body)
	}
	if !strings.HasPrefix(string(first.Data), `{"topProducts":[{"upc":`) {
		t.Fatalf("unexpected answer: %s", first.Body)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 48; i++ {
		n := i%3 + 1 // the test data has three products
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := r.post(t, q, map[string]any{"n": n})
			if len(res.Errors) > 0 {
				errs <- res.Body
				return
			}
			if got := strings.Count(string(res.Data), `"upc"`); got != n+2 {
				errs <- fmt.Sprintf("n=%d: %d products in %s", n, got, res.Data)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestPreparedPlans_twoOperationsOfOneDocumentAreTwoEntries(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	doc := `query A { topProducts(first: 1) { upc } } query B { topProducts(first: 2) { name } }`
	post := func(name string) gqlResponse {
		body := fmt.Sprintf(`{"query":%q,"operationName":%q}`, doc, name)
		resp, err := http.Post(r.URL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return readResponse(t, resp)
	}
	for round := 0; round < 2; round++ {
		a, b := post("A"), post("B")
		if len(a.Errors) > 0 || len(b.Errors) > 0 {
			t.Fatalf("errors: %s / %s", a.Body, b.Body)
		}
		if strings.Count(string(a.Data), `"upc"`) != 1 || strings.Contains(string(a.Data), `"name"`) {
			t.Fatalf("round %d: A answered %s", round, a.Data)
		}
		if strings.Count(string(b.Data), `"name"`) != 2 || strings.Contains(string(b.Data), `"upc"`) {
			t.Fatalf("round %d: B answered %s", round, b.Data)
		}
	}
}

func TestPreparedPlans_aSkipVariableIsPartOfTheKey_soAnInaccessibleFieldStaysHidden(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	q := `query S($s: Boolean!) { topProducts(first: 1) { upc internalCode @skip(if: $s) } }`
	// Skipped, the operation selects nothing hidden and is valid.
	for i := 0; i < 2; i++ {
		if res := r.post(t, q, map[string]any{"s": true}); len(res.Errors) > 0 || strings.Contains(string(res.Data), "internalCode") {
			t.Fatalf("skipped: %s", res.Body)
		}
	}
	// Not skipped, the same text selects an @inaccessible field: refused, not answered
	// from what the skipped variant prepared.
	res := r.post(t, q, map[string]any{"s": false})
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(string(res.Data), "internalCode") {
		t.Fatalf("an @inaccessible field selected through @skip(if: false): %s", res.Body)
	}
}

func TestPreparedPlans_authorizationIsDecidedPerCallerOnAWarmCache(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := &testRouter{URL: startVaultRouter(t, withAuth(issuer, false))}
	admin := bearer(issuer.token(t, "1", time.Minute, "ADMIN"))
	customer := bearer(issuer.token(t, "7", time.Minute, "CUSTOMER"))
	q := `query Audit { auditLog }`
	for round := 0; round < 3; round++ {
		if res := r.postWith(t, q, nil, admin); res.Status != 200 || len(res.Errors) > 0 {
			t.Fatalf("round %d: admin refused: %s", round, res.Body)
		}
		wantError(t, r.postWith(t, q, nil, customer), 403, "FORBIDDEN")
		wantError(t, r.postWith(t, q, nil, nil), 401, "UNAUTHENTICATED")
	}
}

func TestPreparedPlans_eachCallersIdentityReachesTheSubgraphsOnAWarmCache(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, false))
	for round := 0; round < 2; round++ {
		for _, user := range []string{"7", "8"} {
			res := r.postWith(t, entityChain, nil, bearer(issuer.token(t, user, time.Minute, "CUSTOMER")))
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %s", res.Body)
			}
			if got := r.Subgraphs.AccountsHeaders.Last().Get("X-DizhTime-User-Id"); got != user {
				t.Fatalf("round %d: accounts saw user %q for %q", round, got, user)
			}
		}
	}
}

func TestPreparedPlans_aReloadedSupergraphIsPlannedAfresh(t *testing.T) {
	r := startReloadingRouter(t)
	before := r.Router.Engines().Load()
	q := `query W { me { id username } }`
	for i := 0; i < 2; i++ {
		if res := r.post(t, q, nil); len(res.Errors) > 0 {
			t.Fatalf("before the reload: %s", res.Body)
		}
	}
	// accounts stops offering username.
	r.editSDL(t, "accounts", func(sdl string) string {
		return strings.Replace(sdl, "  username: String!\n", "", 1)
	})
	waitFor(t, "the new supergraph", 10*time.Second, func() bool { return r.Router.Engines().Load() != before })
	res := r.post(t, q, nil)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("the plan prepared on the replaced supergraph answered: %s", res.Body)
	}
	if res := r.post(t, `query W { me { id } }`, nil); len(res.Errors) > 0 {
		t.Fatalf("after the reload: %s", res.Body)
	}
}
