package authz

import (
	"context"
	"fmt"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
)

// RequireAuthenticated returns the caller, or UNAUTHENTICATED.
func RequireAuthenticated(ctx context.Context) (Identity, error) {
	id, ok := FromContext(ctx)
	if !ok {
		return Identity{}, graphqlerr.Unauthenticated("sign in to do this")
	}
	return id, nil
}

// RequireRole returns the caller when it holds any of roles; FORBIDDEN otherwise.
func RequireRole(ctx context.Context, roles ...Role) (Identity, error) {
	id, err := RequireAuthenticated(ctx)
	if err != nil {
		return Identity{}, err
	}
	if !id.HasRole(roles...) {
		return Identity{}, graphqlerr.Forbidden("you may not do this")
	}
	return id, nil
}

// RequireSelfOrRole returns the caller when it is userID or holds any of roles.
func RequireSelfOrRole(ctx context.Context, userID string, roles ...Role) (Identity, error) {
	id, err := RequireAuthenticated(ctx)
	if err != nil {
		return Identity{}, err
	}
	if id.UserID != userID && !id.HasRole(roles...) {
		return Identity{}, graphqlerr.Forbidden("you may not do this")
	}
	return id, nil
}

// Tuple is a Keto-style relation tuple: namespace:object#relation@subject, e.g.
// restaurant:42#staff@user:7.
type Tuple struct {
	Namespace string `json:"namespace"`
	Object    string `json:"object"`
	Relation  string `json:"relation"`
	Subject   string `json:"subject"`
}

func (t Tuple) String() string {
	return fmt.Sprintf("%s:%s#%s@%s", t.Namespace, t.Object, t.Relation, t.Subject)
}

// Checker answers whether a relation tuple holds (with the server's rewrites applied,
// e.g. an owner is also staff).
type Checker interface {
	Check(ctx context.Context, t Tuple) (bool, error)
}

// RequireRelation returns the caller when it has relation on namespace:object, or is an
// ADMIN (admins may act on every object without a tuple). A failing checker is INTERNAL.
func RequireRelation(ctx context.Context, checker Checker, namespace, object, relation string) (Identity, error) {
	id, err := RequireAuthenticated(ctx)
	if err != nil {
		return Identity{}, err
	}
	if id.HasRole(RoleAdmin) {
		return id, nil
	}
	t := Tuple{Namespace: namespace, Object: object, Relation: relation, Subject: id.Subject()}
	ok, err := checker.Check(ctx, t)
	if err != nil {
		return Identity{}, graphqlerr.Internal(fmt.Errorf("check %s: %w", t, err))
	}
	if !ok {
		return Identity{}, graphqlerr.Forbidden("you may not do this")
	}
	return id, nil
}
