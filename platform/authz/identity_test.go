package authz_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/dizhtime/dizhtime/platform/authz"
)

func TestMiddleware_putsTheSignedIdentityIntoTheContext(t *testing.T) {
	var got authz.Identity
	var ok bool
	h := authz.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got, ok = authz.FromContext(r.Context())
	}))
	req := httptest.NewRequest(http.MethodPost, "/query", nil)
	authz.SetHeaders(req.Header, authz.Identity{UserID: "7", Roles: []authz.Role{"CUSTOMER", "ADMIN", "SUPERUSER", "CUSTOMER"}})
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !ok || got.UserID != "7" || !slices.Equal(got.Roles, []authz.Role{authz.RoleCustomer, authz.RoleAdmin}) {
		t.Errorf("identity = %+v, %v", got, ok)
	}

	ok = true
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/query", nil))
	if ok {
		t.Error("a request without headers got an identity")
	}
}

func TestSetHeaders_roundTripsThroughFromHeaders(t *testing.T) {
	h := http.Header{}
	in := authz.Identity{UserID: "9", Roles: []authz.Role{authz.RoleDriver}}
	authz.SetHeaders(h, in)
	out, ok := authz.FromHeaders(h)
	if !ok || out.UserID != "9" || !slices.Equal(out.Roles, in.Roles) {
		t.Errorf("got %+v", out)
	}
}
