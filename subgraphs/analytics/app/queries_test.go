package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
)

// owns answers the owner relation from a fixed table (the rule under test is who may ask;
// identity's real check API is exercised by the end-to-end test through the router).
type owns map[string]string // restaurant -> owner user id

func (o owns) Check(_ context.Context, t authz.Tuple) (bool, error) {
	return t.Namespace == "restaurant" && t.Relation == "owner" && "user:"+o[t.Object] == t.Subject, nil
}

func TestQueries_whoMayReadWhichRestaurants(t *testing.T) {
	store, err := adapters.OpenDuckDB(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	q, err := app.NewQueries(store, owns{"r1": "7", "r2": "8"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	as := func(user string, roles ...authz.Role) context.Context {
		if user == "" {
			return context.Background()
		}
		return authz.WithIdentity(context.Background(), authz.Identity{UserID: user, Roles: roles})
	}
	owner := []authz.Role{authz.RoleRestaurantOwner}
	for name, c := range map[string]struct {
		ctx         context.Context
		restaurants []string
		want        graphqlerr.Code
	}{
		"anonymous":                       {as(""), []string{"r1"}, graphqlerr.CodeUnauthenticated},
		"an admin, the whole platform":    {as("1", authz.RoleAdmin), nil, ""},
		"an admin, any restaurant":        {as("1", authz.RoleAdmin), []string{"r2"}, ""},
		"an owner, its own restaurant":    {as("7", owner...), []string{"r1"}, ""},
		"an owner, another's restaurant":  {as("7", owner...), []string{"r2"}, graphqlerr.CodeForbidden},
		"an owner, its own and another's": {as("7", owner...), []string{"r1", "r2"}, graphqlerr.CodeForbidden},
		"an owner, the whole platform":    {as("7", owner...), nil, graphqlerr.CodeForbidden},
		"a customer naming a restaurant":  {as("9", authz.RoleCustomer), []string{"r1"}, graphqlerr.CodeForbidden},
	} {
		_, err := q.Funnel(c.ctx, app.RangeArgs{From: now.Add(-time.Hour), To: now, RestaurantIDs: c.restaurants})
		got := graphqlerr.Code("")
		if err != nil {
			got = graphqlerr.CodeOf(err)
		}
		if got != c.want {
			t.Errorf("%s: code %q (%v), want %q", name, got, err, c.want)
		}
	}
	if _, err := q.Drivers(as("7", owner...), now.Add(-time.Hour), now, nil); graphqlerr.CodeOf(err) != graphqlerr.CodeForbidden {
		t.Errorf("owner reading drivers: %v, want FORBIDDEN", err)
	}
	if _, err := q.Funnel(as("1", authz.RoleAdmin), app.RangeArgs{From: now, To: now.Add(-time.Hour)}); graphqlerr.CodeOf(err) != graphqlerr.CodeBadUserInput {
		t.Errorf("to before from: %v, want BAD_USER_INPUT", err)
	}
}
