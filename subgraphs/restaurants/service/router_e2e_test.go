package service_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/internal/mongotest"
)

// issuer stands in for identity's token side: an Ed25519 key published as a JWKS and
// access tokens signed with it, shaped like identity's (sub, roles, exp).
type issuer struct {
	key  ed25519.PrivateKey
	jwks *httptest.Server
}

func newIssuer(t *testing.T) *issuer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := json.Marshal(map[string]any{"keys": []map[string]any{{
		"kty": "OKP", "crv": "Ed25519", "kid": "test-key", "alg": "EdDSA", "use": "sig",
		"x": base64.RawURLEncoding.EncodeToString(pub),
	}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(set)
	}))
	t.Cleanup(srv.Close)
	return &issuer{key: priv, jwks: srv}
}

func (i *issuer) bearer(who *authz.Identity) http.Header {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	roles := make([]string, len(who.Roles))
	for k, r := range who.Roles {
		roles[k] = string(r)
	}
	signing := enc(map[string]string{"alg": "EdDSA", "kid": "test-key", "typ": "JWT"}) + "." +
		enc(map[string]any{"sub": who.UserID, "roles": roles, "exp": time.Now().Add(time.Hour).Unix()})
	sig := ed25519.Sign(i.key, []byte(signing))
	return http.Header{"Authorization": {"Bearer " + signing + "." + base64.RawURLEncoding.EncodeToString(sig)}}
}

func sdlFile(t *testing.T) string {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "schema", "restaurants.graphqls")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("committed SDL missing (go generate ./... in subgraphs/restaurants): %v", err)
	}
	return p
}

// Through the real router: it composes the committed SDL, verifies tokens, forwards the
// identity, and the restaurants subgraph authorizes with it.
func TestRouter_servesRestaurantsWithTheVerifiedIdentityAndRefusesForgedHeaders(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips building and starting the router binary (make test and CI never pass -short)")
	}
	r := start(t, mongotest.Real(t))
	iss := newIssuer(t)
	router := routertest.Start(t, []routertest.Subgraph{{Name: "restaurants", URL: r.url, SDLFile: sdlFile(t)}},
		routertest.Options{RouterYAML: fmt.Sprintf("auth:\n  jwks_url: %s\n", iss.jwks.URL)})

	created := router.Do(t, `mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { id menu { version } owner { id } } }`,
		map[string]any{"in": createInput()}, iss.bearer(owner))
	v := decode[struct{ CreateRestaurant restaurantView }](t, created).CreateRestaurant
	if v.Owner.ID != owner.UserID {
		t.Fatalf("created through the router: %+v", v)
	}
	edited := decode[struct{ UpdateMenu restaurantView }](t, router.Do(t,
		`mutation($id: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $id, expectedMenuVersion: $v, menu: $m) { `+restaurantFields+` } }`,
		map[string]any{"id": v.ID, "v": v.Menu.Version, "m": menuInput()}, iss.bearer(owner))).UpdateMenu
	ids := idsOf(edited)

	// Anyone may read and quote; the router plans the entity fields from the subgraph.
	q := decode[struct{ Quote quoteView }](t, router.Do(t, quoteQuery, map[string]any{"in": map[string]any{"restaurantId": v.ID,
		"lines": []map[string]any{{"menuItemId": ids.plov, "quantity": 1, "optionIds": []string{ids.regular}}}}}, nil)).Quote
	if q.Subtotal.AmountMinor != 4_500_000 || q.Lines[0].MenuItem.Name != "Plov" {
		t.Errorf("quote through the router = %+v", q)
	}

	const pause = `mutation($id: ID!) { pauseRestaurant(id: $id) { paused } }`
	if resp := router.Do(t, pause, map[string]any{"id": v.ID}, iss.bearer(rival)); !resp.HasCode("FORBIDDEN") {
		t.Errorf("another owner paused the restaurant: %+v", resp.Errors)
	}
	forged := http.Header{}
	authz.SetHeaders(forged, *admin)
	if resp := router.Do(t, pause, map[string]any{"id": v.ID}, forged); !resp.HasCode("UNAUTHENTICATED") {
		t.Errorf("identity headers sent by a client were trusted: %+v %s", resp.Errors, resp.Data)
	}
	if resp := router.Do(t, pause, map[string]any{"id": v.ID}, iss.bearer(owner)); len(resp.Errors) > 0 {
		t.Errorf("the owner could not pause: %+v", resp.Errors)
	}
}
