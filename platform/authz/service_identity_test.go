package authz

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// serviceSet writes keys for the router, identity and restaurants and loads each.
func serviceSet(t *testing.T) map[string]*ServiceIdentity {
	t.Helper()
	names := []string{RouterService, "identity", "restaurants"}
	files, err := WriteServiceKeys(filepath.Join(t.TempDir(), "keys"), names)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*ServiceIdentity{}
	for _, n := range names {
		id, err := LoadServiceIdentity(n, files.Keys[n], files.JWKS)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = id
	}
	return out
}

func TestServiceToken_carriesTheRoutersUserToTheNamedSubgraphOnly(t *testing.T) {
	s := serviceSet(t)
	user := &Identity{UserID: "u1", Roles: []Role{RoleCustomer, "NOT_A_ROLE"}}
	tok, err := s[RouterService].Sign("restaurants", user, "203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	call, err := s["restaurants"].Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if call.Caller != RouterService || call.User == nil || call.User.UserID != "u1" ||
		len(call.User.Roles) != 1 || call.User.Roles[0] != RoleCustomer || call.ClientIP != "203.0.113.7" {
		t.Fatalf("verified %+v user %+v", call, call.User)
	}
	// The same token replayed at another subgraph is refused: its audience is restaurants.
	if _, err := s["identity"].Verify(tok); !errors.Is(err, ErrInvalidServiceToken) {
		t.Fatalf("token for restaurants accepted by identity: %v", err)
	}
}

func TestServiceToken_aServiceOtherThanTheRouterCannotSpeakForAUser(t *testing.T) {
	s := serviceSet(t)
	tok, err := s["restaurants"].Sign("identity", &Identity{UserID: "admin", Roles: []Role{RoleAdmin}}, "")
	if err != nil {
		t.Fatal(err)
	}
	call, err := s["identity"].Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if call.Caller != "restaurants" || call.User != nil {
		t.Fatalf("restaurants' token made identity believe user %+v", call.User)
	}
}

func TestServiceToken_refusesUnknownKeysExpiredTokensAndForgedIssuers(t *testing.T) {
	s := serviceSet(t)
	// A key nobody was told to trust, even named "router".
	rogueKey, err := GenerateServiceKey(RouterService)
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := NewServiceIdentity(RouterService, rogueKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := rogue.Sign("identity", &Identity{UserID: "x", Roles: []Role{RoleAdmin}}, "")
	if _, err := s["identity"].Verify(forged); !errors.Is(err, ErrInvalidServiceToken) {
		t.Fatalf("a rogue router key was accepted: %v", err)
	}
	// Expired.
	old := s[RouterService]
	old.now = func() time.Time { return time.Now().Add(-2 * ServiceTokenTTL) }
	stale, _ := old.Sign("identity", &Identity{UserID: "x"}, "")
	old.now = time.Now
	if _, err := s["identity"].Verify(stale); !errors.Is(err, ErrInvalidServiceToken) {
		t.Fatalf("an expired token was accepted: %v", err)
	}
	if _, err := s["identity"].Verify("not.a.token"); err == nil {
		t.Fatal("garbage accepted")
	}
	if _, err := s["identity"].Verify(""); !errors.Is(err, ErrNoServiceToken) {
		t.Fatalf("empty token: %v", err)
	}
}

func TestMiddleware_refusesForgedIdentityHeadersAndTakesTheUserFromTheToken(t *testing.T) {
	s := serviceSet(t)
	var seen *Identity
	h := MiddlewareFor(s["restaurants"], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = nil
		if id, ok := FromContext(r.Context()); ok {
			seen = &id
		}
	}))
	do := func(hdr http.Header) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/query", nil)
		for k, vs := range hdr {
			req.Header.Set(k, vs[0])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	forged := http.Header{HeaderUserID: {"victim"}, HeaderRoles: {"ADMIN"}}
	rec := do(forged)
	var body struct {
		Errors []struct {
			Extensions map[string]string `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != http.StatusUnauthorized || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Fatalf("forged headers: %d %s", rec.Code, rec.Body)
	}
	// Anonymous, no headers: let through without an identity.
	if rec := do(http.Header{}); rec.Code != http.StatusOK || seen != nil {
		t.Fatalf("anonymous: %d %+v", rec.Code, seen)
	}
	// The router's token wins over whatever plain headers say.
	tok, _ := s[RouterService].Sign("restaurants", &Identity{UserID: "u7", Roles: []Role{RoleDriver}}, "")
	if rec := do(http.Header{HeaderServiceToken: {tok}, HeaderUserID: {"victim"}}); rec.Code != http.StatusOK || seen == nil || seen.UserID != "u7" {
		t.Fatalf("signed: %d %+v", rec.Code, seen)
	}
	if rec := do(http.Header{HeaderServiceToken: {tok + "x"}}); rec.Code != http.StatusUnauthorized {
		t.Fatalf("tampered token: %d", rec.Code)
	}
}

func TestRequireService_refusesCallsWithoutAServiceToken(t *testing.T) {
	s := serviceSet(t)
	called := false
	h := RequireServiceFor(s["identity"], http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/internal/relations", nil))
	if rec.Code != http.StatusUnauthorized || called {
		t.Fatalf("no token: %d called=%v", rec.Code, called)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: ServiceTransport{Audience: "identity", Identity: s["restaurants"]}}
	resp, err := client.Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !called {
		t.Fatalf("signed call: %d called=%v", resp.StatusCode, called)
	}
}

func TestServiceIdentity_refusesAKeyNotNamedForTheService(t *testing.T) {
	key, _ := GenerateServiceKey("orders")
	if _, err := NewServiceIdentity("identity", key, jwk.NewSet()); err == nil {
		t.Fatal("a key named orders became identity's")
	}
}
