package service_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// A domain error reaches the client the way the subgraph said it — message, path,
// extensions.code and field — with the subgraph's name added, not wrapped in "Failed to
// fetch from Subgraph" (what Apollo Client would otherwise show for a wrong password).
func TestThroughTheRouter_aSubgraphsErrorsReachTheClientAsTheSubgraphSaidThem(t *testing.T) {
	_, r := startWithRouter(t, nil, routertest.Options{})
	email := uniqueEmail()
	register(t, func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, http.Header{}) }, email, "correct horse battery")

	cases := []struct {
		name, query string
		vars        map[string]any
		code, field string
		path        string
		message     string
	}{
		{"a wrong password", loginMutation, map[string]any{"e": email, "p": "wrong horse battery"}, "UNAUTHENTICATED", "", "login", "email or password is wrong"},
		{"a malformed email", `mutation($in: RegisterInput!) { register(input: $in) { user { id } } }`,
			map[string]any{"in": map[string]any{"email": "not-an-email", "password": "correct horse battery", "name": "X"}}, "BAD_USER_INPUT", "email", "register", "not a valid address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := r.Do(t, c.query, c.vars, http.Header{})
			if len(resp.Errors) != 1 {
				t.Fatalf("errors %+v, want one", resp.Errors)
			}
			e := resp.Errors[0]
			if e.Code() != c.code || e.Extensions["serviceName"] != "identity" || strings.Contains(e.Message, "Failed to fetch") ||
				e.Extensions["errors"] != nil || len(e.Path) == 0 || e.Path[0] != c.path {
				t.Fatalf("error %+v: want the subgraph's own %s at path %s with serviceName identity, unwrapped", e, c.code, c.path)
			}
			if !strings.Contains(e.Message, c.message) {
				t.Fatalf("message %q, want the subgraph's %q", e.Message, c.message)
			}
			if f, _ := e.Extensions["field"].(string); c.field != "" && !strings.HasSuffix(f, c.field) {
				t.Fatalf("error %+v: want extensions.field %s", e, c.field)
			}
		})
	}
}
