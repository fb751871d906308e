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

// FromHeaders reads the plain identity headers. They prove nothing (anyone can send
// them); subgraphs take the identity from the signed service token instead (Middleware).
// Unknown roles are dropped.
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

// SetHeaders makes h carry id the way the router forwards it: a service token signed by
// this process for itself (so only an in-process handler accepts it; tests use this to
// play the router), plus the plain headers for logs. Subgraphs believe only the token.
func SetHeaders(h http.Header, id Identity) {
	SetHeadersFor(h, ProcessServiceIdentity().Name(), id)
}

// SetHeadersFor is SetHeaders addressed to audience: for a subgraph in another process
// that trusts this process's key as the router's (platform/routertest.ChildServiceEnv).
func SetHeadersFor(h http.Header, audience string, id Identity) {
	svc := ProcessServiceIdentity()
	token, err := svc.Sign(audience, &id, "")
	if err != nil {
		panic("authz: sign a service token: " + err.Error())
	}
	h.Set(HeaderServiceToken, token)
	h.Set(HeaderUserID, id.UserID)
	roles := make([]string, len(id.Roles))
	for i, r := range id.Roles {
		roles[i] = string(r)
	}
	h.Set(HeaderRoles, strings.Join(roles, ","))
}
