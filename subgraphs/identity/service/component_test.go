package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

func (i *identity) direct(t testing.TB) func(q string, v map[string]any) *routertest.Response {
	return func(q string, v map[string]any) *routertest.Response { return i.do(t, nil, q, v) }
}

func (i *identity) jwks(t testing.TB) jwk.Set {
	t.Helper()
	resp, err := http.Get(i.srv.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	set, err := jwk.Parse(body)
	if err != nil {
		t.Fatalf("jwks %s: %v", body, err)
	}
	return set
}

func verifies(t testing.TB, set jwk.Set, token string) bool {
	t.Helper()
	_, err := jws.Verify([]byte(token), jws.WithKeySet(set))
	return err == nil
}

func TestLogin_answersAnUnknownEmailExactlyLikeAWrongPassword(t *testing.T) {
	id := startIdentity(t, testConfig())
	do := id.direct(t)
	email := uniqueEmail()
	register(t, do, email, "correct horse battery")
	wrong := do(loginMutation, map[string]any{"e": email, "p": "wrong horse battery"})
	unknown := do(loginMutation, map[string]any{"e": uniqueEmail(), "p": "wrong horse battery"})
	if len(wrong.Errors) != 1 || len(unknown.Errors) != 1 {
		t.Fatalf("wrong %+v unknown %+v", wrong.Errors, unknown.Errors)
	}
	if wrong.Errors[0].Message != unknown.Errors[0].Message || wrong.Errors[0].Code() != "UNAUTHENTICATED" ||
		unknown.Errors[0].Code() != "UNAUTHENTICATED" {
		t.Errorf("answers differ: %+v vs %+v", wrong.Errors[0], unknown.Errors[0])
	}
}

func TestRegister_refusesASecondAccountForTheSameNormalizedEmail(t *testing.T) {
	id := startIdentity(t, testConfig())
	do := id.direct(t)
	email := uniqueEmail()
	register(t, do, email, "correct horse battery")
	resp := do(registerMutation, map[string]any{"in": map[string]any{
		"email": "  " + strings.ToUpper(email), "password": "correct horse battery", "name": "Ada"}})
	wantCode(t, resp, "CONFLICT")
}

func TestRotateSigningKey_keepsTokensOfThePreviousKeyVerifyingDuringTheOverlap(t *testing.T) {
	id := startIdentity(t, testConfig())
	do := id.direct(t)
	before := register(t, do, uniqueEmail(), "correct horse battery")
	if !verifies(t, id.jwks(t), before.AccessToken) {
		t.Fatal("token does not verify against the JWKS")
	}
	if _, err := id.svc.App.RotateSigningKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := register(t, do, uniqueEmail(), "correct horse battery")
	set := id.jwks(t)
	if set.Len() != 2 {
		t.Errorf("JWKS has %d keys after rotation, want 2", set.Len())
	}
	if !verifies(t, set, before.AccessToken) || !verifies(t, set, after.AccessToken) {
		t.Error("a token does not verify after rotation")
	}
	kid := func(tok string) string {
		m, _ := jws.Parse([]byte(tok))
		k, _ := m.Signatures()[0].ProtectedHeaders().KeyID()
		return k
	}
	if kid(before.AccessToken) == kid(after.AccessToken) {
		t.Error("the new key does not sign")
	}
	claims, _ := jws.Parse([]byte(after.AccessToken))
	var c map[string]any
	_ = json.Unmarshal(claims.Payload(), &c)
	if c["sub"] != after.User.ID || c["roles"] == nil || c["exp"] == nil {
		t.Errorf("claims %v", c)
	}
}

func TestUser_isVisibleToItselfAndAdminsOnly(t *testing.T) {
	id := startIdentity(t, testConfig())
	do := id.direct(t)
	ada := register(t, do, uniqueEmail(), "correct horse battery")
	bob := register(t, do, uniqueEmail(), "correct horse battery")
	as := func(uid string, roles ...authz.Role) *authz.Identity {
		return &authz.Identity{UserID: uid, Roles: roles}
	}
	wantNoErrors(t, id.do(t, as(ada.User.ID, authz.RoleCustomer), userQuery, map[string]any{"id": ada.User.ID}))
	wantCode(t, id.do(t, as(bob.User.ID, authz.RoleCustomer), userQuery, map[string]any{"id": ada.User.ID}), "FORBIDDEN")
	wantNoErrors(t, id.do(t, as("admin-1", authz.RoleAdmin), userQuery, map[string]any{"id": ada.User.ID}))
	wantCode(t, id.do(t, as("admin-1", authz.RoleAdmin), userQuery, map[string]any{"id": "no-such-user"}), "NOT_FOUND")
}

func TestRoleAdministration_isForAdminsAndDisablingEndsSessions(t *testing.T) {
	id := startIdentity(t, testConfig())
	do := id.direct(t)
	email := uniqueEmail()
	ada := register(t, do, email, "correct horse battery")
	assign := `mutation($u: ID!, $r: Role!) { assignRole(userId: $u, role: $r) { roles } }`
	admin := &authz.Identity{UserID: "admin-1", Roles: []authz.Role{authz.RoleAdmin}}
	wantCode(t, id.do(t, &authz.Identity{UserID: ada.User.ID, Roles: []authz.Role{authz.RoleCustomer}}, assign,
		map[string]any{"u": ada.User.ID, "r": "ADMIN"}), "FORBIDDEN")
	resp := id.do(t, admin, assign, map[string]any{"u": ada.User.ID, "r": "DRIVER"})
	wantNoErrors(t, resp)
	if !strings.Contains(string(resp.Data), "DRIVER") {
		t.Errorf("roles %s", resp.Data)
	}
	wantNoErrors(t, id.do(t, admin, `mutation($u: ID!) { disableUser(userId: $u) { disabled } }`, map[string]any{"u": ada.User.ID}))
	wantCode(t, do(refreshMutation, map[string]any{"t": ada.RefreshToken}), "UNAUTHENTICATED")
	wantCode(t, do(loginMutation, map[string]any{"e": email, "p": "correct horse battery"}), "UNAUTHENTICATED")
}

func TestRestaurantStaff_isManagedByTheOwnerAndCheckedOverHTTP(t *testing.T) {
	id := startIdentity(t, testConfig())
	do := id.direct(t)
	owner := register(t, do, uniqueEmail(), "correct horse battery")
	staff := register(t, do, uniqueEmail(), "correct horse battery")
	stranger := register(t, do, uniqueEmail(), "correct horse battery")

	// The restaurants subgraph records the owner when it creates restaurant 42; a caller
	// without a service credential may not (it would make itself the owner).
	body := `{"namespace":"restaurant","object":"42","relation":"owner","subject":"user:` + owner.User.ID + `"}`
	resp, err := http.Post(id.srv.URL+"/internal/relations", "application/json", strings.NewReader(`{"namespace":"restaurant","object":"42","relation":"owner","subject":"user:`+stranger.User.ID+`"}`))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated relation write: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	if resp, err := http.Get(id.srv.URL + "/internal/relations/check?namespace=restaurant&object=42&relation=owner&subject=user:" + stranger.User.ID); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated relation check: %v %v", resp.Status, err)
	}
	service := authz.NewServiceClient("identity", 5*time.Second)
	resp, err = service.Post(id.srv.URL+"/internal/relations", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("write owner tuple: %v %v", resp.Status, err)
	}
	resp.Body.Close()

	checker := authz.NewRelationClient(id.srv.URL, authz.WithTTL(0))
	check := func(uid, relation string) bool {
		ok, err := checker.Check(context.Background(), authz.Tuple{Namespace: "restaurant", Object: "42", Relation: relation, Subject: "user:" + uid})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !check(owner.User.ID, "owner") || !check(owner.User.ID, "staff") {
		t.Error("owner is not owner and staff")
	}
	add := `mutation($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }`
	remove := `mutation($r: ID!, $u: ID!) { removeRestaurantStaff(restaurantId: $r, userId: $u) }`
	as := func(p authPayload) *authz.Identity {
		return &authz.Identity{UserID: p.User.ID, Roles: []authz.Role{authz.RoleCustomer}}
	}
	wantCode(t, id.do(t, as(stranger), add, map[string]any{"r": "42", "u": stranger.User.ID}), "FORBIDDEN")
	wantNoErrors(t, id.do(t, as(owner), add, map[string]any{"r": "42", "u": staff.User.ID}))
	if !check(staff.User.ID, "staff") || check(staff.User.ID, "owner") || check(stranger.User.ID, "staff") {
		t.Error("staff tuple wrong")
	}
	wantCode(t, id.do(t, as(staff), add, map[string]any{"r": "42", "u": stranger.User.ID}), "FORBIDDEN")
	wantCode(t, id.do(t, as(owner), add, map[string]any{"r": "42; DROP TABLE relation_tuples", "u": staff.User.ID}), "BAD_USER_INPUT")
	wantNoErrors(t, id.do(t, as(owner), remove, map[string]any{"r": "42", "u": staff.User.ID}))
	if check(staff.User.ID, "staff") {
		t.Error("staff still staff after removal")
	}

	// Admins grant any relation over GraphQL; customers may not.
	grant := `mutation($o: String!, $s: String!) { grantRelation(namespace: "restaurant", object: $o, relation: "owner", subject: $s) }`
	wantCode(t, id.do(t, as(stranger), grant, map[string]any{"o": "43", "s": "user:" + stranger.User.ID}), "FORBIDDEN")
	wantNoErrors(t, id.do(t, &authz.Identity{UserID: "admin-1", Roles: []authz.Role{authz.RoleAdmin}}, grant,
		map[string]any{"o": "43", "s": "user:" + stranger.User.ID}))

	bad, err := service.Get(id.srv.URL + "/internal/relations/check?" + url.Values{"namespace": {"restaurant"}, "object": {"42"}, "relation": {"god"}, "subject": {"user:1"}}.Encode())
	if err != nil || bad.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown relation: %v %v", bad.Status, err)
	}
}

func TestChangePassword_requiresTheCurrentPasswordAndEndsSessions(t *testing.T) {
	id := startIdentity(t, testConfig())
	do := id.direct(t)
	email := uniqueEmail()
	ada := register(t, do, email, "correct horse battery")
	me := &authz.Identity{UserID: ada.User.ID, Roles: []authz.Role{authz.RoleCustomer}}
	change := `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`
	wantCode(t, do(change, map[string]any{"c": "correct horse battery", "n": "staple battery horse"}), "UNAUTHENTICATED")
	wantCode(t, id.do(t, me, change, map[string]any{"c": "wrong", "n": "staple battery horse"}), "BAD_USER_INPUT")
	wantCode(t, id.do(t, me, change, map[string]any{"c": "correct horse battery", "n": "short"}), "BAD_USER_INPUT")
	wantNoErrors(t, id.do(t, me, change, map[string]any{"c": "correct horse battery", "n": "staple battery horse"}))
	wantCode(t, do(refreshMutation, map[string]any{"t": ada.RefreshToken}), "UNAUTHENTICATED")
	wantNoErrors(t, do(loginMutation, map[string]any{"e": email, "p": "staple battery horse"}))
}
