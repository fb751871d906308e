package app

import (
	"context"
	"errors"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

// CheckRelation reports whether t holds, directly or through a rewrite (an owner is
// also staff).
func (a *Application) CheckRelation(ctx context.Context, namespace, object, relation, subject string) (bool, error) {
	t, err := domain.NewTuple(namespace, object, relation, subject)
	if err != nil {
		return false, clientError(err)
	}
	ok, err := a.relations.Exists(ctx, append([]domain.Tuple{t}, domain.Implied(t)...)...)
	return ok, clientError(err)
}

// RelationSubjects lists who holds relation on namespace:object, directly or through a
// rewrite (a restaurant's staff includes its owners): the internal API notifications asks
// for a restaurant's staff.
func (a *Application) RelationSubjects(ctx context.Context, namespace, object, relation string) ([]string, error) {
	t, err := domain.NewTuple(namespace, object, relation, "user:probe")
	if err != nil {
		return nil, clientError(err)
	}
	relations := []string{t.Relation}
	for _, i := range domain.Implied(t) {
		relations = append(relations, i.Relation)
	}
	subjects, err := a.relations.Subjects(ctx, t.Namespace, t.Object, relations)
	return subjects, clientError(err)
}

// Check makes the application an authz.Checker for its own resolvers.
func (a *Application) Check(ctx context.Context, t authz.Tuple) (bool, error) {
	ok, err := a.CheckRelation(ctx, t.Namespace, t.Object, t.Relation, t.Subject)
	var ge *graphqlerr.Error
	if errors.As(err, &ge) && ge.Code == graphqlerr.CodeBadUserInput {
		return false, nil // a tuple that cannot exist does not hold
	}
	return ok, err
}

// WriteRelation stores a tuple without an authorization check: the internal API other
// services call (restaurants writes restaurant:<id>#owner@user:<creator>).
func (a *Application) WriteRelation(ctx context.Context, namespace, object, relation, subject string) (domain.Tuple, error) {
	t, err := domain.NewTuple(namespace, object, relation, subject)
	if err != nil {
		return domain.Tuple{}, clientError(err)
	}
	return t, clientError(a.relations.Write(ctx, t))
}

// DeleteRelation removes a tuple without an authorization check (internal API).
func (a *Application) DeleteRelation(ctx context.Context, namespace, object, relation, subject string) error {
	t, err := domain.NewTuple(namespace, object, relation, subject)
	if err != nil {
		return clientError(err)
	}
	return clientError(a.relations.Delete(ctx, t))
}

// GrantRelation stores any tuple (ADMIN only).
func (a *Application) GrantRelation(ctx context.Context, namespace, object, relation, subject string) error {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return err
	}
	_, err := a.WriteRelation(ctx, namespace, object, relation, subject)
	return err
}

// RestaurantMember is one person of a restaurant's team and the tuple that makes them so.
type RestaurantMember struct {
	User     *domain.User
	Relation string // "owner" or "staff"
}

// RestaurantTeam lists the restaurant's owners and staff (its owner or an ADMIN): the
// relation tuples restaurant:<id>#owner and #staff, owners first. A tuple whose user no
// longer exists is left out.
func (a *Application) RestaurantTeam(ctx context.Context, restaurantID string) ([]RestaurantMember, error) {
	if _, err := domain.NewTuple("restaurant", restaurantID, "staff", "user:probe"); err != nil {
		return nil, clientError(err)
	}
	if _, err := authz.RequireRelation(ctx, a, "restaurant", restaurantID, "owner"); err != nil {
		return nil, err
	}
	var out []RestaurantMember
	seen := map[string]bool{}
	for _, rel := range []string{"owner", "staff"} {
		subjects, err := a.relations.Subjects(ctx, "restaurant", restaurantID, []string{rel})
		if err != nil {
			return nil, clientError(err)
		}
		for _, s := range subjects {
			uid, ok := domain.SubjectUserID(s)
			if !ok || seen[uid] {
				continue
			}
			u, err := a.users.ByID(ctx, uid)
			if errors.Is(err, domain.ErrUserNotFound) {
				continue
			}
			if err != nil {
				return nil, clientError(err)
			}
			seen[uid] = true
			out = append(out, RestaurantMember{User: u, Relation: rel})
		}
	}
	return out, nil
}

// AddRestaurantStaff makes userID staff of the restaurant (its owner or an ADMIN).
func (a *Application) AddRestaurantStaff(ctx context.Context, restaurantID, userID string) error {
	if err := a.requireOwner(ctx, restaurantID, userID); err != nil {
		return err
	}
	_, err := a.WriteRelation(ctx, "restaurant", restaurantID, "staff", domain.UserSubject(userID))
	return err
}

// RemoveRestaurantStaff removes userID from the restaurant's staff (owner or ADMIN).
func (a *Application) RemoveRestaurantStaff(ctx context.Context, restaurantID, userID string) error {
	if err := a.requireOwner(ctx, restaurantID, userID); err != nil {
		return err
	}
	return a.DeleteRelation(ctx, "restaurant", restaurantID, "staff", domain.UserSubject(userID))
}

func (a *Application) requireOwner(ctx context.Context, restaurantID, userID string) error {
	if _, err := domain.NewTuple("restaurant", restaurantID, "staff", domain.UserSubject(userID)); err != nil {
		return clientError(err)
	}
	if _, err := authz.RequireRelation(ctx, a, "restaurant", restaurantID, "owner"); err != nil {
		return err
	}
	if _, err := a.users.ByID(ctx, userID); err != nil {
		return clientError(err)
	}
	return nil
}
