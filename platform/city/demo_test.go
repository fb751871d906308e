package city

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/demo"
)

// TestDemoCity_seededRestaurantsBelongToRealOwnersWhoSignInAndRunThem boots the real stack
// with the demo city seeded (as `make run` does), makes the demo logins the way `dizhtime
// dev` does, twice (a second run changes nothing), and then asks through the router: every
// seeded restaurant shows its roster owner's name, the demo RESTAURANT_OWNER is the roster's
// first owner with their fixed id, runs their own restaurants (edit, pause, orders) and is
// refused another owner's.
func TestDemoCity_seededRestaurantsBelongToRealOwnersWhoSignInAndRunThem(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	city := startRealCity(t, ctx, "DIZHTIME_RESTAURANTS_SEED_DEMO_CITY=true")
	c := city.client
	// Requests of many grants each: room for a loaded machine (the default is 15 s).
	c.Timeout = 2 * time.Minute
	logins, err := DemoLogins(ctx, c, GrantAdminWith(city.Stack), EnsureDemoOwnersWith(city.Stack))
	if err != nil {
		t.Fatalf("demo logins: %v", err)
	}
	again, err := DemoLogins(ctx, c, GrantAdminWith(city.Stack), EnsureDemoOwnersWith(city.Stack))
	if err != nil {
		t.Fatalf("demo logins, second run: %v", err)
	}
	var owner *Session
	for i, l := range logins {
		if again[i].Session.UserID != l.Session.UserID {
			t.Errorf("demo %s is user %s on the first run, %s on the second", l.Role, l.Session.UserID, again[i].Session.UserID)
		}
		if l.Role == "RESTAURANT_OWNER" {
			owner = l.Session
		}
	}
	roster := demo.Owners()
	if owner == nil || owner.UserID != roster[0].ID || owner.Email != roster[0].Email || !slices.Contains(owner.Roles, "RESTAURANT_OWNER") {
		t.Fatalf("demo owner: %+v, want roster owner 1 %+v with RESTAURANT_OWNER", owner, roster[0])
	}
	names := map[string]string{}
	for _, o := range roster {
		names[o.ID] = o.Name
	}

	// Anonymous, as the customer app lists them: every seeded restaurant has its owner's name.
	type restaurantOwner struct {
		ID    string
		Owner struct{ ID, Name string }
	}
	var all []restaurantOwner
	after := ""
	for {
		var page struct {
			Restaurants struct {
				Edges    []struct{ Node restaurantOwner }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		vars := map[string]any{"first": 50}
		if after != "" {
			vars["after"] = after
		}
		if err := c.do(ctx, "", `query($first: Int, $after: String) { restaurants(first: $first, after: $after) {
  edges { node { id owner { id name } } } pageInfo { hasNextPage endCursor } } }`, vars, &page); err != nil {
			t.Fatalf("restaurants with their owners' names: %v", err)
		}
		for _, e := range page.Restaurants.Edges {
			all = append(all, e.Node)
		}
		if !page.Restaurants.PageInfo.HasNextPage {
			break
		}
		after = page.Restaurants.PageInfo.EndCursor
	}
	if len(all) != 300 {
		t.Fatalf("the demo city lists %d restaurants, want the 300 seeded", len(all))
	}
	var mine []string
	for _, r := range all {
		if want, ok := names[r.Owner.ID]; !ok || r.Owner.Name != want {
			t.Errorf("restaurant %s: owner %+v, want a roster owner with their name", r.ID, r.Owner)
		}
		if r.Owner.ID == owner.UserID {
			mine = append(mine, r.ID)
		}
	}
	if len(mine) < 7 {
		t.Fatalf("the demo owner owns %d restaurants, want 300/40 of them", len(mine))
	}
	var one struct {
		Restaurant struct{ Owner struct{ Name string } }
	}
	if err := c.do(ctx, "", `query($id: ID!) { restaurant(id: $id) { owner { name } } }`, map[string]any{"id": mine[0]}, &one); err != nil || one.Restaurant.Owner.Name != roster[0].Name {
		t.Fatalf("the demo owner's restaurant shows owner %q (%v), want %q", one.Restaurant.Owner.Name, err, roster[0].Name)
	}

	// The demo owner runs their restaurant: edits it, pauses and resumes it, reads its orders.
	var edited struct {
		UpdateRestaurant struct{ Description string }
	}
	if err := owner.Do(ctx, `mutation($id: ID!) { updateRestaurant(id: $id, input: {description: "Run by its demo owner."}) { description } }`,
		map[string]any{"id": mine[0]}, &edited); err != nil || edited.UpdateRestaurant.Description != "Run by its demo owner." {
		t.Fatalf("the demo owner edits their restaurant: %+v, %v", edited, err)
	}
	for _, m := range []string{
		`mutation($id: ID!) { pauseRestaurant(id: $id, reason: "demo") { id } }`,
		`mutation($id: ID!) { resumeRestaurant(id: $id) { id } }`,
		`query($id: ID!) { restaurant(id: $id) { orders(first: 5) { edges { node { id } } } } }`,
	} {
		if err := owner.Do(ctx, m, map[string]any{"id": mine[0]}, nil); err != nil {
			t.Errorf("the demo owner on their restaurant, %s: %v", m, err)
		}
	}
	// ... and not another owner's.
	var theirs string
	for _, r := range all {
		if r.Owner.ID == roster[1].ID {
			theirs = r.ID
			break
		}
	}
	err = owner.Do(ctx, `mutation($id: ID!) { updateRestaurant(id: $id, input: {description: "Not mine."}) { id } }`, map[string]any{"id": theirs}, nil)
	var gqlErr *GraphQLError
	if !errors.As(err, &gqlErr) || !gqlErr.Has("FORBIDDEN") {
		t.Errorf("the demo owner edits roster owner 2's restaurant: %v, want FORBIDDEN", err)
	}
	// Another roster owner signs in with the demo password and runs theirs.
	second := must(c.Login(ctx, roster[1].Email, demo.Password))(t, "roster owner 2 signs in")
	if err := second.Do(ctx, `mutation($id: ID!) { pauseRestaurant(id: $id) { id } }`, map[string]any{"id": theirs}, nil); err != nil {
		t.Errorf("roster owner 2 pauses their restaurant: %v", err)
	}
}
