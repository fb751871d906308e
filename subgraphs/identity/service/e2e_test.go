package service_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/identity/service"
)

// startWithRouter starts identity and a router that verifies identity's access tokens
// against its JWKS and forwards the verified caller as X-DizhTime-* headers.
func startWithRouter(t *testing.T, cfg func(*service.Config), opts ...routertest.Options) (*identity, *routertest.Router) {
	t.Helper()
	c := testConfig()
	if cfg != nil {
		cfg(&c)
	}
	id := startIdentity(t, c)
	var o routertest.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.RouterYAML = routertest.AuthYAML(strings.TrimSuffix(id.url, "/query"), c.Issuer, c.Audience) + o.RouterYAML
	r := routertest.Start(t, []routertest.Subgraph{{
		Name: "identity", URL: id.url, SDLFile: sdlFile(t),
		SubscriptionURL: "ws" + strings.TrimPrefix(id.url, "http"),
	}}, o)
	return id, r
}

func TestThroughTheRouter_aUserRegistersLogsInRefreshesAndLogsOut_andReuseRevokesTheFamily(t *testing.T) {
	_, r := startWithRouter(t, nil)
	do := func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, nil) }
	email := uniqueEmail()
	reg := register(t, do, strings.ToUpper(email), "correct horse battery")
	if reg.User.Email != email || reg.AccessToken == "" || reg.RefreshToken == "" {
		t.Fatalf("register returned %+v", reg)
	}

	login := decodeField(t, do(loginMutation, map[string]any{"e": email, "p": "correct horse battery"}), "login")
	if login.User.ID != reg.User.ID {
		t.Fatalf("login user %s, registered %s", login.User.ID, reg.User.ID)
	}

	// The router verifies the access token and tells identity who is asking.
	me := r.Do(t, userQuery, map[string]any{"id": reg.User.ID}, routertest.Bearer(login.AccessToken))
	wantNoErrors(t, me)
	if !strings.Contains(string(me.Data), email) {
		t.Errorf("user query: %s", me.Data)
	}

	rotated := decodeField(t, do(refreshMutation, map[string]any{"t": login.RefreshToken}), "refresh")
	if rotated.RefreshToken == login.RefreshToken || rotated.AccessToken == "" {
		t.Fatalf("refresh did not rotate: %+v", rotated)
	}
	// Presenting the used token again is theft or a bug: the whole login ends.
	wantCode(t, do(refreshMutation, map[string]any{"t": login.RefreshToken}), "UNAUTHENTICATED")
	wantCode(t, do(refreshMutation, map[string]any{"t": rotated.RefreshToken}), "UNAUTHENTICATED")

	// The registration's session is another family and still works, until logout.
	next := decodeField(t, do(refreshMutation, map[string]any{"t": reg.RefreshToken}), "refresh")
	resp := do(logoutMutation, map[string]any{"t": next.RefreshToken})
	wantNoErrors(t, resp)
	wantCode(t, do(refreshMutation, map[string]any{"t": next.RefreshToken}), "UNAUTHENTICATED")
}

func TestThroughTheRouter_identityHeadersAClientSendsDoNotReachTheSubgraph(t *testing.T) {
	_, r := startWithRouter(t, nil)
	do := func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, nil) }
	reg := register(t, do, uniqueEmail(), "correct horse battery")
	forged := http.Header{}
	authz.SetHeaders(forged, authz.Identity{UserID: reg.User.ID, Roles: []authz.Role{authz.RoleAdmin}})
	wantCode(t, r.Do(t, userQuery, map[string]any{"id": reg.User.ID}, forged), "UNAUTHENTICATED")

	// Forged headers beside a real token: the token's identity wins, not the headers.
	other := register(t, do, uniqueEmail(), "correct horse battery")
	withToken := routertest.Bearer(other.AccessToken)
	authz.SetHeaders(withToken, authz.Identity{UserID: reg.User.ID, Roles: []authz.Role{authz.RoleAdmin}})
	resp := r.Do(t, userQuery, map[string]any{"id": reg.User.ID}, withToken)
	if strings.Contains(string(resp.Data), reg.User.Email) {
		t.Fatalf("forged headers beside a token read another user: %s", resp.Data)
	}
}

func TestThroughTheRouter_aBadAccessTokenIsRefusedWithUnauthenticated(t *testing.T) {
	_, r := startWithRouter(t, nil)
	do := func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, nil) }
	reg := register(t, do, uniqueEmail(), "correct horse battery")
	parts := strings.Split(reg.AccessToken, ".")
	for name, tok := range map[string]string{
		"tampered": parts[0] + "." + parts[1] + "x." + parts[2],
		"alg none": "eyJhbGciOiJub25lIn0." + parts[1] + ".",
		"garbage":  "' OR 1=1 --",
	} {
		resp := r.Do(t, userQuery, map[string]any{"id": reg.User.ID}, routertest.Bearer(tok))
		if resp.Status != http.StatusUnauthorized || !resp.HasCode("UNAUTHENTICATED") {
			t.Errorf("%s: status %d, errors %+v", name, resp.Status, resp.Errors)
		}
	}
}

func TestThroughTheRouter_badInputIsRefusedWithItsCode(t *testing.T) {
	_, r := startWithRouter(t, nil)
	do := func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, nil) }
	reg := func(email, password, name string) *routertest.Response {
		return do(registerMutation, map[string]any{"in": map[string]any{"email": email, "password": password, "name": name}})
	}
	cases := []struct {
		name string
		resp *routertest.Response
		code string
	}{
		{"empty email", reg("", "correct horse battery", "Ada"), "BAD_USER_INPUT"},
		{"bad email", reg("not-an-email", "correct horse battery", "Ada"), "BAD_USER_INPUT"},
		{"sql-looking email", reg("x'); DROP TABLE users;--@example.com", "correct horse battery", "Ada"), "BAD_USER_INPUT"},
		{"oversized email", reg(strings.Repeat("a", 300)+"@example.com", "correct horse battery", "Ada"), "BAD_USER_INPUT"},
		{"weak password", reg(uniqueEmail(), "password123", "Ada"), "BAD_USER_INPUT"},
		{"short password", reg(uniqueEmail(), "abc", "Ada"), "BAD_USER_INPUT"},
		{"oversized password", reg(uniqueEmail(), strings.Repeat("correct horse ", 20), "Ada"), "BAD_USER_INPUT"},
		{"empty name", reg(uniqueEmail(), "correct horse battery", "  "), "BAD_USER_INPUT"},
		{"oversized name", reg(uniqueEmail(), "correct horse battery", strings.Repeat("n", 1000)), "BAD_USER_INPUT"},
		{"malformed refresh token", do(refreshMutation, map[string]any{"t": "' OR 1=1 --"}), "UNAUTHENTICATED"},
		{"empty refresh token", do(refreshMutation, map[string]any{"t": ""}), "BAD_USER_INPUT"},
		{"unknown email login", do(loginMutation, map[string]any{"e": uniqueEmail(), "p": "whatever it is"}), "UNAUTHENTICATED"},
		{"user without identity", do(userQuery, map[string]any{"id": "1"}), "UNAUTHENTICATED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.resp, c.code) })
	}

	// SQL-looking text is stored as text, not executed.
	name := "Robert'); DROP TABLE users;--"
	resp := reg(uniqueEmail(), "correct horse battery", name)
	wantNoErrors(t, resp)
	if !strings.Contains(string(resp.Data), "DROP TABLE") {
		t.Errorf("name not kept verbatim: %s", resp.Data)
	}
	register(t, do, uniqueEmail(), "correct horse battery") // the table is still there
}

func TestThroughTheRouter_loginAttemptsPastTheLimitAreRateLimited(t *testing.T) {
	_, r := startWithRouter(t, func(c *service.Config) { c.LoginPerAccountPerMinute = 3 })
	do := func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, nil) }
	email := uniqueEmail()
	register(t, do, email, "correct horse battery")
	for i := range 3 {
		resp := do(loginMutation, map[string]any{"e": email, "p": "wrong horse battery"})
		if !resp.HasCode("UNAUTHENTICATED") || resp.HasCode("RATE_LIMITED") {
			t.Fatalf("attempt %d: %+v", i+1, resp.Errors)
		}
	}
	resp := do(loginMutation, map[string]any{"e": email, "p": "correct horse battery"})
	wantCode(t, resp, "RATE_LIMITED")
	// Another account from the same address is not affected by this account's budget.
	other := uniqueEmail()
	register(t, do, other, "correct horse battery")
	wantNoErrors(t, do(loginMutation, map[string]any{"e": other, "p": "correct horse battery"}))
}
