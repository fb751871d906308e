package authz

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// Role is a coarse platform role.
type Role string

// The roles DizhTime knows.
const (
	RoleCustomer        Role = "CUSTOMER"
	RoleDriver          Role = "DRIVER"
	RoleRestaurantStaff Role = "RESTAURANT_STAFF"
	RoleRestaurantOwner Role = "RESTAURANT_OWNER"
	RoleAdmin           Role = "ADMIN"
)

// Roles lists every role, in a stable order.
var Roles = []Role{RoleCustomer, RoleDriver, RoleRestaurantStaff, RoleRestaurantOwner, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Header names the router uses to forward the verified identity. They must match
// router/pkg/authn (kept apart so the router module does not depend on platform).
const (
	HeaderUserID = "X-DizhTime-User-Id"
	HeaderRoles  = "X-DizhTime-Roles"
)

// Identity is the verified caller.
type Identity struct {
	UserID string
	Roles  []Role
}

// HasRole reports whether the identity holds any of roles.
func (i Identity) HasRole(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(i.Roles, r) {
			return true
		}
	}
	return false
}

// Subject is the identity as a relation-tuple subject, "user:<id>".
func (i Identity) Subject() string { return "user:" + i.UserID }

type ctxKey struct{}

// WithIdentity returns ctx carrying id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the identity Middleware (or WithIdentity) stored, if any.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(Identity)
	return id, ok && id.UserID != ""
}

// FromHeaders reads the identity the router forwarded. Unknown roles are dropped.
func FromHeaders(h http.Header) (Identity, bool) {
	userID := strings.TrimSpace(h.Get(HeaderUserID))
	if userID == "" {
		return Identity{}, false
	}
	id := Identity{UserID: userID}
	for _, part := range strings.Split(h.Get(HeaderRoles), ",") {
		if r := Role(strings.TrimSpace(part)); r.Valid() && !slices.Contains(id.Roles, r) {
			id.Roles = append(id.Roles, r)
		}
	}
	return id, true
}

// SetHeaders writes id into h the way the router forwards it.
func SetHeaders(h http.Header, id Identity) {
	h.Set(HeaderUserID, id.UserID)
	roles := make([]string, len(id.Roles))
	for i, r := range id.Roles {
		roles[i] = string(r)
	}
	h.Set(HeaderRoles, strings.Join(roles, ","))
}

// Middleware puts the forwarded identity, when present, into the request context.
// Requests without one go on anonymously: resolvers decide what anonymous callers get.
//
// It trusts the headers: only the router may reach a subgraph (network policy), and the
// router strips these headers from client requests before adding its own.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := FromHeaders(r.Header); ok {
			r = r.WithContext(WithIdentity(r.Context(), id))
		}
		next.ServeHTTP(w, r)
	})
}
