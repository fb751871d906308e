package service_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// The admin portal's users and roles, through the router over PostgreSQL: the user list
// searched by email or name prefix and by role, paged as a Relay connection; role
// changes audited with who and when; the last active admin keeps ADMIN (and the account)
// even when two admins revoke each other at once.
func TestThroughTheRouter_anAdminFindsUsersByPrefixAndRole_changesRolesAudited_andTheLastAdminStays(t *testing.T) {
	id, r := startWithRouter(t, nil)
	do := func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, nil) }
	const password = "correct horse battery"
	registerAs := func(email, name string) authPayload {
		t.Helper()
		return decodeField(t, do(registerMutation, map[string]any{"in": map[string]any{"email": email, "password": password, "name": name}}), "register")
	}
	login := func(email string) http.Header {
		t.Helper()
		p := decodeField(t, do(loginMutation, map[string]any{"e": email, "p": password}), "login")
		return routertest.Bearer(p.AccessToken)
	}
	root := registerAs("root@example.com", "Root Admin")
	if _, err := id.svc.App.GrantRoleAsOperator(context.Background(), "root@example.com", "ADMIN"); err != nil {
		t.Fatal(err)
	}
	asRoot := login("root@example.com")
	zarina := registerAs("zarina.k@example.com", "Zarina Karimova")
	zafar := registerAs("zafar@example.com", "Zafar Usmonov")
	dilnoza := registerAs("d.r@example.com", "Dilnoza Rahimova")
	registerAs("bob1@example.com", "Bob One")
	registerAs("bo_b@example.com", "Bo Underscore")
	customer := login("bob1@example.com")

	const users = `query($s: String, $r: Role, $n: Int, $a: String) { users(search: $s, role: $r, first: $n, after: $a) {
		edges { cursor node { id email name roles } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	type page struct {
		Users struct {
			Edges []struct {
				Node struct {
					ID, Email, Name string
					Roles           []string
				}
			}
			PageInfo struct {
				HasNextPage, HasPreviousPage bool
				EndCursor                    *string
			}
		}
	}
	listAs := func(who http.Header, vars map[string]any) page {
		t.Helper()
		resp := r.Do(t, users, vars, who)
		wantNoErrors(t, resp)
		var p page
		if err := resp.Decode(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	list := func(vars map[string]any) page { t.Helper(); return listAs(asRoot, vars) }
	emails := func(p page) string {
		var out []string
		for _, e := range p.Users.Edges {
			out = append(out, e.Node.Email)
		}
		return strings.Join(out, ",")
	}
	for name, c := range map[string]struct {
		vars map[string]any
		want string
	}{
		"an email prefix":                     {map[string]any{"s": "za"}, "zafar@example.com,zarina.k@example.com"},
		"a name prefix, any case":             {map[string]any{"s": "DILNOZA"}, "d.r@example.com"},
		"LIKE wildcards are literal":          {map[string]any{"s": "bo_"}, "bo_b@example.com"},
		"no match":                            {map[string]any{"s": "nobody"}, ""},
		"the ADMIN role":                      {map[string]any{"r": "ADMIN"}, "root@example.com"},
		"surrounding spaces are not searched": {map[string]any{"s": "  zaf  "}, "zafar@example.com"},
	} {
		if got := emails(list(c.vars)); got != c.want {
			t.Errorf("%s: users = %q, want %q", name, got, c.want)
		}
	}

	// Pages of two walk every account once, in email order.
	var walked []string
	var after any
	for pages := 0; ; pages++ {
		p := list(map[string]any{"n": 2, "a": after})
		if pages > 0 != p.Users.PageInfo.HasPreviousPage {
			t.Errorf("page %d: hasPreviousPage = %v", pages, p.Users.PageInfo.HasPreviousPage)
		}
		walked = append(walked, emails(p))
		if !p.Users.PageInfo.HasNextPage {
			break
		}
		if pages > 5 || p.Users.PageInfo.EndCursor == nil {
			t.Fatalf("paging does not end: %v", walked)
		}
		after = *p.Users.PageInfo.EndCursor
	}
	if got := strings.Join(walked, "|"); got != "bo_b@example.com,bob1@example.com|d.r@example.com,root@example.com|zafar@example.com,zarina.k@example.com" {
		t.Errorf("pages = %s", got)
	}
	wantCode(t, r.Do(t, users, map[string]any{"n": 0}, asRoot), "BAD_USER_INPUT")
	wantCode(t, r.Do(t, users, map[string]any{"n": 101}, asRoot), "BAD_USER_INPUT")
	wantCode(t, r.Do(t, users, map[string]any{"a": "not a cursor!"}, asRoot), "BAD_USER_INPUT")
	wantCode(t, r.Do(t, users, nil, customer), "FORBIDDEN")
	wantCode(t, r.Do(t, users, nil, nil), "UNAUTHENTICATED")

	// Role changes: granted and revoked by the admin, each audited with who and when.
	const assign = `mutation($u: ID!, $r: Role!) { assignRole(userId: $u, role: $r) { id roles } }`
	const revoke = `mutation($u: ID!, $r: Role!) { revokeRole(userId: $u, role: $r) { id roles } }`
	const disable = `mutation($u: ID!) { disableUser(userId: $u) { id disabled } }`
	wantNoErrors(t, r.Do(t, assign, map[string]any{"u": zafar.User.ID, "r": "DRIVER"}, asRoot))
	wantNoErrors(t, r.Do(t, assign, map[string]any{"u": zafar.User.ID, "r": "RESTAURANT_OWNER"}, asRoot))
	wantNoErrors(t, r.Do(t, revoke, map[string]any{"u": zafar.User.ID, "r": "DRIVER"}, asRoot))
	wantCode(t, r.Do(t, assign, map[string]any{"u": zafar.User.ID, "r": "DRIVER"}, customer), "FORBIDDEN")
	if got := emails(list(map[string]any{"s": "z", "r": "RESTAURANT_OWNER"})); got != "zafar@example.com" {
		t.Errorf("owners whose email or name starts with z: %q", got)
	}
	const changes = `query($u: ID!) { roleChanges(userId: $u) { user { id } role change actor { id name } at } }`
	type audit struct {
		RoleChanges []struct {
			User   struct{ ID string }
			Role   *string
			Change string
			Actor  struct{ ID, Name string }
			At     string
		}
	}
	readAudit := func(u string) audit {
		t.Helper()
		resp := r.Do(t, changes, map[string]any{"u": u}, asRoot)
		wantNoErrors(t, resp)
		var a audit
		if err := json.Unmarshal(resp.Data, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := readAudit(zafar.User.ID)
	var got []string
	for _, c := range a.RoleChanges {
		got = append(got, c.Change+" "+*c.Role)
		if c.User.ID != zafar.User.ID || c.Actor.ID != root.User.ID || c.Actor.Name != "Root Admin" || c.At == "" {
			t.Errorf("audit row %+v", c)
		}
	}
	if strings.Join(got, ",") != "REVOKED DRIVER,GRANTED RESTAURANT_OWNER,GRANTED DRIVER" {
		t.Errorf("zafar's audit, newest first = %v", got)
	}
	wantCode(t, r.Do(t, changes, map[string]any{"u": zafar.User.ID}, customer), "FORBIDDEN")

	// The last active admin keeps ADMIN and the account.
	for name, resp := range map[string]*routertest.Response{
		"revoking its own ADMIN": r.Do(t, revoke, map[string]any{"u": root.User.ID, "r": "ADMIN"}, asRoot),
		"disabling itself":       r.Do(t, disable, map[string]any{"u": root.User.ID}, asRoot),
	} {
		wantCode(t, resp, "CONFLICT")
		if len(resp.Errors) > 0 && !strings.Contains(resp.Errors[0].Message, "last active admin") {
			t.Errorf("%s: %+v", name, resp.Errors)
		}
	}
	// With a second admin, the first may step down; then the second is the last.
	wantNoErrors(t, r.Do(t, assign, map[string]any{"u": zarina.User.ID, "r": "ADMIN"}, asRoot))
	wantNoErrors(t, r.Do(t, revoke, map[string]any{"u": root.User.ID, "r": "ADMIN"}, asRoot))
	asZarina := login("zarina.k@example.com")
	wantCode(t, r.Do(t, revoke, map[string]any{"u": zarina.User.ID, "r": "ADMIN"}, asZarina), "CONFLICT")
	if got := emails(listAs(asZarina, map[string]any{"r": "ADMIN"})); got != "zarina.k@example.com" {
		t.Errorf("admins after root stepped down: %q", got)
	}

	// Two admins revoking each other at once: one wins, the other is refused, one admin is left.
	wantNoErrors(t, r.Do(t, assign, map[string]any{"u": dilnoza.User.ID, "r": "ADMIN"}, asZarina))
	asDilnoza := login("d.r@example.com")
	var wg sync.WaitGroup
	results := make([]*routertest.Response, 2)
	for i, c := range []struct {
		who    http.Header
		target string
	}{{asZarina, dilnoza.User.ID}, {asDilnoza, zarina.User.ID}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := routertest.Post(context.Background(), r.URL, revoke, map[string]any{"u": c.target, "r": "ADMIN"}, c.who)
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = resp
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, resp := range results {
		switch {
		case resp == nil:
		case len(resp.Errors) == 0:
			ok++
		case resp.HasCode("CONFLICT"):
			conflict++
		default:
			t.Errorf("a racing revoke: %+v", resp.Errors)
		}
	}
	if ok != 1 || conflict != 1 {
		t.Errorf("racing revokes: %d succeeded, %d refused; want one each", ok, conflict)
	}
	var admins int
	if err := id.pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE 'ADMIN' = ANY(roles) AND disabled_at IS NULL`).Scan(&admins); err != nil || admins != 1 {
		t.Errorf("active admins after the race = %d (%v), want 1", admins, err)
	}
}
