package service_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

type updateJSON struct {
	OrderUpdated, RestaurantOrders struct {
		Transition struct {
			Sequence int
			To       string
		}
		Order struct{ ID string }
	}
}

func nextUpdate(t *testing.T, ctx context.Context, sub *routertest.Subscription) updateJSON {
	t.Helper()
	ev, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Errors) > 0 {
		t.Fatalf("%+v", ev.Errors)
	}
	var u updateJSON
	if err := json.Unmarshal(ev.Data, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// Two replicas share one database and consumer groups. The customer and the restaurant
// dashboard subscribe through a router in front of the first; every transition happens
// through a router in front of the second (or by events either may consume). The
// subscriptions' database poll is turned down to once an hour, so what they see within
// the test's time proves the fan-out through Kafka (live_fallback_e2e_test.go proves the
// poll).
func TestTwoReplicas_subscribersOnOneSeeEveryTransitionMadeOnTheOther_inOrder(t *testing.T) {
	e := newEnv(t)
	e.cfg.LivePollInterval = time.Hour
	in1, in2 := e.start(t), e.start(t)
	r1, r2 := withRouter(t, e, in1), withRouter(t, e, in2)
	e.waitForConsumers(t)
	cust := customer()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	dash, err := routertest.Subscribe(ctx, r1.WSURL,
		`subscription($r: ID!) { restaurantOrders(restaurantId: $r) { transition { sequence to } order { id } } }`,
		map[string]any{"r": e.restaurant}, map[string]any{"Authorization": "Bearer " + e.tokens.token(e.staff)})
	if err != nil {
		t.Fatal(err)
	}
	defer dash.Close()
	time.Sleep(time.Second) // let the subscription reach the subgraph before the order exists

	placed := field(t, r2.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "replicas"}, e.tokens.headers(cust)), "placeOrder")
	sub, err := routertest.Subscribe(ctx, r1.WSURL,
		`subscription($id: ID!) { orderUpdated(id: $id, since: 0) { transition { sequence to } order { id } } }`,
		map[string]any{"id": placed.ID}, map[string]any{"Authorization": "Bearer " + e.tokens.token(cust)})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	e.publish(t, placed.ID, contracts.PaymentSucceededV1{OrderID: placed.ID, CustomerID: cust.UserID})
	waitStatus(t, r2, e.tokens.headers(cust), placed.ID, "PAID")
	for _, m := range []string{"acceptOrder", "markPreparing", "markReady"} {
		wantNoErrors(t, r2.Do(t, `mutation($id: ID!) { `+m+`(id: $id) { id } }`, map[string]any{"id": placed.ID}, e.tokens.headers(e.staff)))
	}
	e.publish(t, placed.ID, contracts.DeliveryStatusChangedV1{DeliveryID: "d", OrderID: placed.ID, From: contracts.DeliveryArrivedAtPickup, To: contracts.DeliveryPickedUp, ChangedAt: time.Now()})
	e.publish(t, placed.ID, contracts.DeliveryStatusChangedV1{DeliveryID: "d", OrderID: placed.ID, From: contracts.DeliveryArrivedAtDropoff, To: contracts.DeliveryDelivered, ChangedAt: time.Now()})

	want := []string{"PLACED", "PAID", "ACCEPTED", "PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED"}
	for i, w := range want {
		if got := nextUpdate(t, ctx, sub).OrderUpdated.Transition; got.To != w || got.Sequence != i+1 {
			t.Fatalf("customer's event %d: %+v, want %d %s", i, got, i+1, w)
		}
	}
	for i, w := range want {
		u := nextUpdate(t, ctx, dash).RestaurantOrders
		if u.Order.ID != placed.ID || u.Transition.To != w || u.Transition.Sequence != i+1 {
			t.Fatalf("dashboard's event %d: %+v, want %d %s of %s", i, u, i+1, w, placed.ID)
		}
	}
}

func TestRestaurantOrders_isForTheRestaurantsStaff_andForbiddenToOthers(t *testing.T) {
	e := newEnv(t)
	r := withRouter(t, e, e.start(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for name, who := range map[string]authz.Identity{
		"a customer":            customer(),
		"staff of another shop": {UserID: "other-staff", Roles: []authz.Role{authz.RoleRestaurantStaff}},
	} {
		t.Run(name, func(t *testing.T) {
			sub, err := routertest.Subscribe(ctx, r.WSURL, `subscription($r: ID!) { restaurantOrders(restaurantId: $r) { order { id } } }`,
				map[string]any{"r": e.restaurant}, map[string]any{"Authorization": "Bearer " + e.tokens.token(who)})
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			ev, err := sub.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !ev.HasCode("FORBIDDEN") {
				t.Fatalf("want FORBIDDEN, got %+v %s", ev.Errors, ev.Data)
			}
		})
	}
}

type connJSON struct {
	Edges []struct {
		Cursor string
		Node   struct{ ID, Status string }
	}
	PageInfo struct{ HasNextPage bool }
}

// User.orders and Restaurant.orders through the router, reached from an order (the
// users and restaurants root fields belong to other subgraphs).
func TestOrderConnections_throughTheRouter_pageNewestFirst_andOnlyForTheirReaders(t *testing.T) {
	e := newEnv(t)
	r := withRouter(t, e, e.start(t))
	cust := customer()
	var ids []string // newest first
	for _, key := range []string{"c1", "c2", "c3"} {
		ids = append([]string{field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": key}, e.tokens.headers(cust)), "placeOrder").ID}, ids...)
	}
	const (
		userOrders = `query($id: ID!, $after: String) { order(id: $id) { customer { orders(first: 2, after: $after) {
			edges { cursor node { id status } } pageInfo { hasNextPage } } } } }`
		restaurantOrders = `query($id: ID!, $after: String) { order(id: $id) { restaurant { orders(first: 2, after: $after, status: [PLACED]) {
			edges { cursor node { id status } } pageInfo { hasNextPage } } } } }`
	)
	read := func(query string, who http.Header) []string {
		t.Helper()
		var got []string
		var after any
		for range 5 {
			resp := r.Do(t, query, map[string]any{"id": ids[0], "after": after}, who)
			wantNoErrors(t, resp)
			var p struct {
				Order struct{ Customer, Restaurant *struct{ Orders connJSON } }
			}
			if err := resp.Decode(&p); err != nil {
				t.Fatal(err)
			}
			owner := p.Order.Customer
			if owner == nil {
				owner = p.Order.Restaurant
			}
			for _, edge := range owner.Orders.Edges {
				got = append(got, edge.Node.ID)
			}
			if !owner.Orders.PageInfo.HasNextPage {
				return got
			}
			after = owner.Orders.Edges[len(owner.Orders.Edges)-1].Cursor
		}
		t.Fatal("more pages than orders")
		return nil
	}
	if got := read(userOrders, e.tokens.headers(cust)); len(got) != 3 || got[0] != ids[0] || got[1] != ids[1] || got[2] != ids[2] {
		t.Errorf("User.orders: %v, want %v", got, ids)
	}
	if got := read(restaurantOrders, e.tokens.headers(e.staff)); len(got) != 3 || got[0] != ids[0] || got[1] != ids[1] || got[2] != ids[2] {
		t.Errorf("Restaurant.orders: %v, want %v", got, ids)
	}
	// The customer may not list the restaurant's orders; the staff may not list the customer's.
	wantCode(t, r.Do(t, restaurantOrders, map[string]any{"id": ids[0]}, e.tokens.headers(cust)), "FORBIDDEN")
	wantCode(t, r.Do(t, userOrders, map[string]any{"id": ids[0]}, e.tokens.headers(e.staff)), "FORBIDDEN")
}
