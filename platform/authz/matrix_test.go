package authz_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
)

// tuples is an in-memory Checker with the identity service's rewrite: an owner is staff.
type tuples map[authz.Tuple]bool

func (ts tuples) Check(_ context.Context, t authz.Tuple) (bool, error) {
	if ts[t] {
		return true, nil
	}
	if t.Relation == "staff" {
		owner := t
		owner.Relation = "owner"
		return ts[owner], nil
	}
	return false, nil
}

// The policies below are what orders, wallet, dispatch and restaurants will call; they
// exist only as this table until those subgraphs land, and use nothing but the helpers.
type order struct{ id, customerID, restaurantID string }

func readOrder(ctx context.Context, c authz.Checker, o order) error {
	if _, err := authz.RequireSelfOrRole(ctx, o.customerID, authz.RoleAdmin); err == nil {
		return nil
	} else if graphqlerr.CodeOf(err) == graphqlerr.CodeUnauthenticated {
		return err
	}
	// Staff see the orders of their restaurant.
	_, err := authz.RequireRelation(ctx, c, "restaurant", o.restaurantID, "staff")
	return err
}

func readWallet(ctx context.Context, _ authz.Checker, ownerID string) error {
	_, err := authz.RequireSelfOrRole(ctx, ownerID, authz.RoleAdmin)
	return err
}

func updateDriverLocation(ctx context.Context, _ authz.Checker, driverID string) error {
	id, err := authz.RequireSelfOrRole(ctx, driverID, authz.RoleAdmin)
	if err != nil {
		return err
	}
	if !id.HasRole(authz.RoleDriver, authz.RoleAdmin) {
		return graphqlerr.Forbidden("only drivers report a location")
	}
	return nil
}

func editRestaurant(ctx context.Context, c authz.Checker, restaurantID string) error {
	_, err := authz.RequireRelation(ctx, c, "restaurant", restaurantID, "staff")
	return err
}

func TestRoleOperationMatrix_grantsEachRoleExactlyItsOwnResources(t *testing.T) {
	actors := map[string]authz.Identity{
		"customer": {UserID: "c1", Roles: []authz.Role{authz.RoleCustomer}},
		"driver":   {UserID: "d1", Roles: []authz.Role{authz.RoleCustomer, authz.RoleDriver}},
		"staff":    {UserID: "s1", Roles: []authz.Role{authz.RoleCustomer, authz.RoleRestaurantStaff}},
		"owner":    {UserID: "o1", Roles: []authz.Role{authz.RoleCustomer, authz.RoleRestaurantOwner}},
		"admin":    {UserID: "a1", Roles: []authz.Role{authz.RoleAdmin}},
	}
	checker := tuples{
		{Namespace: "restaurant", Object: "42", Relation: "staff", Subject: "user:s1"}: true,
		{Namespace: "restaurant", Object: "42", Relation: "owner", Subject: "user:o1"}: true,
	}
	// Each operation acts on the actor's own resource or on someone else's; "own" for a
	// restaurant is restaurant 42, where staff s1 works and o1 owns; 43 is someone else's.
	ops := map[string]func(ctx context.Context, self string) error{
		"read-own-order": func(ctx context.Context, self string) error {
			return readOrder(ctx, checker, order{id: "o-own", customerID: self, restaurantID: "43"})
		},
		"read-other-order": func(ctx context.Context, _ string) error {
			return readOrder(ctx, checker, order{id: "o-other", customerID: "c2", restaurantID: "43"})
		},
		"read-other-wallet":     func(ctx context.Context, _ string) error { return readWallet(ctx, checker, "c2") },
		"update-own-location":   func(ctx context.Context, self string) error { return updateDriverLocation(ctx, checker, self) },
		"update-other-location": func(ctx context.Context, _ string) error { return updateDriverLocation(ctx, checker, "d2") },
		"edit-own-restaurant":   func(ctx context.Context, _ string) error { return editRestaurant(ctx, checker, "42") },
		"edit-other-restaurant": func(ctx context.Context, _ string) error { return editRestaurant(ctx, checker, "43") },
	}
	allow := map[string]map[string]bool{ // actor -> operation -> allowed
		"customer": {"read-own-order": true},
		"driver":   {"read-own-order": true, "update-own-location": true},
		"staff":    {"read-own-order": true, "edit-own-restaurant": true},
		"owner":    {"read-own-order": true, "edit-own-restaurant": true},
		"admin": {"read-own-order": true, "read-other-order": true, "read-other-wallet": true,
			"update-own-location": true, "update-other-location": true,
			"edit-own-restaurant": true, "edit-other-restaurant": true},
	}
	for actorName, actor := range actors {
		for opName, op := range ops {
			t.Run(fmt.Sprintf("%s %s", actorName, opName), func(t *testing.T) {
				err := op(authz.WithIdentity(context.Background(), actor), actor.UserID)
				want := allow[actorName][opName]
				switch {
				case want && err != nil:
					t.Errorf("refused: %v", err)
				case !want && graphqlerr.CodeOf(err) != graphqlerr.CodeForbidden:
					t.Errorf("want FORBIDDEN, got %v", err)
				}
			})
		}
	}
	for opName, op := range ops {
		if err := op(context.Background(), ""); graphqlerr.CodeOf(err) != graphqlerr.CodeUnauthenticated {
			t.Errorf("anonymous %s: want UNAUTHENTICATED, got %v", opName, err)
		}
	}
}

func TestStaffOfOneRestaurant_cannotReadAnotherRestaurantsOrders(t *testing.T) {
	checker := tuples{{Namespace: "restaurant", Object: "42", Relation: "staff", Subject: "user:s1"}: true}
	ctx := authz.WithIdentity(context.Background(), authz.Identity{UserID: "s1", Roles: []authz.Role{authz.RoleRestaurantStaff}})
	if err := readOrder(ctx, checker, order{customerID: "c2", restaurantID: "42"}); err != nil {
		t.Errorf("order at own restaurant refused: %v", err)
	}
	if err := readOrder(ctx, checker, order{customerID: "c2", restaurantID: "43"}); graphqlerr.CodeOf(err) != graphqlerr.CodeForbidden {
		t.Errorf("order at another restaurant: %v", err)
	}
}

type failingChecker struct{}

func (failingChecker) Check(context.Context, authz.Tuple) (bool, error) {
	return false, errors.New("connection refused")
}

func TestRequireRelation_reportsAFailingCheckerAsInternal(t *testing.T) {
	ctx := authz.WithIdentity(context.Background(), authz.Identity{UserID: "s1"})
	_, err := authz.RequireRelation(ctx, failingChecker{}, "restaurant", "42", "staff")
	if graphqlerr.CodeOf(err) != graphqlerr.CodeInternal {
		t.Errorf("got %v", err)
	}
}
