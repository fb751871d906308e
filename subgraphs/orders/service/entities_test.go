package service_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// The entity resolvers, asked the way the router asks them (_entities on the subgraph,
// identity in the X-DizhTime-* headers the router sets after verifying the token).
func TestEntities_resolveOrdersForTheirReaders_andUsersAndRestaurantsWithTheirOrders(t *testing.T) {
	e := newEnv(t)
	in := e.start(t)
	cust := customer()
	r := withRouter(t, e, in)
	placed := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "entities"}, e.tokens.headers(cust)), "placeOrder")

	const q = `query($reps: [_Any!]!) { _entities(representations: $reps) {
		... on Order { id status customer { id } restaurant { id } }
		... on User { id orders { edges { node { id } } } }
		... on Restaurant { id restaurantOrders: orders { edges { node { id } } } } } }`
	// Restaurant.orders is nullable and User.orders is not: one selection set may not ask
	// both under one response name (the router aliases such fields itself).
	ask := func(who authz.Identity, reps ...map[string]any) *routertest.Response {
		h := http.Header{}
		authz.SetHeaders(h, who)
		resp, err := routertest.Post(context.Background(), in.url, q, map[string]any{"reps": reps}, h)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var got struct {
		Entities []struct {
			ID, Status string
			Customer   struct{ ID string }
			Restaurant struct{ ID string }
			Orders     connJSON
			// RestaurantOrders is a Restaurant's orders (aliased, see q).
			RestaurantOrders connJSON
		} `json:"_entities"`
	}
	resp := ask(cust,
		map[string]any{"__typename": "Order", "id": placed.ID},
		map[string]any{"__typename": "User", "id": cust.UserID})
	wantNoErrors(t, resp)
	if err := resp.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if o := got.Entities[0]; o.ID != placed.ID || o.Status != "PLACED" || o.Customer.ID != cust.UserID || o.Restaurant.ID != e.restaurant {
		t.Errorf("order entity %+v", o)
	}
	if u := got.Entities[1]; u.ID != cust.UserID || len(u.Orders.Edges) != 1 || u.Orders.Edges[0].Node.ID != placed.ID {
		t.Errorf("user entity %+v", u)
	}

	resp = ask(e.staff, map[string]any{"__typename": "Restaurant", "id": e.restaurant})
	wantNoErrors(t, resp)
	if err := resp.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if rs := got.Entities[0]; rs.ID != e.restaurant || len(rs.RestaurantOrders.Edges) != 1 || rs.RestaurantOrders.Edges[0].Node.ID != placed.ID {
		t.Errorf("restaurant entity %+v", rs)
	}

	// Another customer resolves neither the order nor the user's orders.
	wantCode(t, ask(customer(), map[string]any{"__typename": "Order", "id": placed.ID}), "NOT_FOUND")
	wantCode(t, ask(customer(), map[string]any{"__typename": "User", "id": cust.UserID}), "FORBIDDEN")
}
