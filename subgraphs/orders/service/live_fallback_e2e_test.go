package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// The live feed (Kafka doorbells) is not running at all, the extreme of a lost
// notification: a dropped reader, a doorbell rung while a subscriber reconnected, another
// replica's write. The subscriptions' poll of the database alone must bring every
// transition, once, in order.
func TestWithEveryDoorbellLost_subscribersThroughTheRouterStillSeeEveryTransitionOnce_inOrder(t *testing.T) {
	e := newEnv(t)
	e.cfg.LivePollInterval = 300 * time.Millisecond
	r := withRouter(t, e, e.start(t, "live-feed"))
	e.waitForConsumers(t)
	cust := customer()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	dash := subscribeDashboard(t, ctx, r, e)
	placed := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "lost"}, e.tokens.headers(cust)), "placeOrder")
	sub, err := routertest.Subscribe(ctx, r.WSURL,
		`subscription($id: ID!) { orderUpdated(id: $id) { transition { sequence to } order { id } } }`,
		map[string]any{"id": placed.ID}, map[string]any{"Authorization": "Bearer " + e.tokens.token(cust)})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// Each step waits for both subscribers before the next: the router opens its upstream
	// subscription when the first event is asked for, and a subscriber that starts late
	// rightly starts with where the order stands, not with what came before.
	expect := func(seq int, to string) {
		t.Helper()
		if got := nextUpdate(t, ctx, sub).OrderUpdated; got.Transition.To != to || got.Transition.Sequence != seq || got.Order.ID != placed.ID {
			t.Fatalf("customer's event: %+v, want %d %s", got, seq, to)
		}
		if got := nextUpdate(t, ctx, dash).RestaurantOrders; got.Transition.To != to || got.Transition.Sequence != seq || got.Order.ID != placed.ID {
			t.Fatalf("dashboard's event: %+v, want %d %s of %s", got, seq, to, placed.ID)
		}
	}
	expect(1, "PLACED")
	e.publish(t, placed.ID, contracts.PaymentSucceededV1{OrderID: placed.ID, CustomerID: cust.UserID})
	expect(2, "PAID")
	for i, m := range []string{"acceptOrder", "markPreparing"} {
		wantNoErrors(t, r.Do(t, `mutation($id: ID!) { `+m+`(id: $id) { id } }`, map[string]any{"id": placed.ID}, e.tokens.headers(e.staff)))
		expect(3+i, []string{"ACCEPTED", "PREPARING"}[i])
	}
	wantSilence(t, sub, dash)
}

// A kitchen's tablet that (re)subscribes after an order was paid starts with it, so the
// kitchen hears of an order paid while it was reconnecting. Orders finished long ago are
// not replayed.
func TestRestaurantOrders_aDashboardSubscribingAfterAnOrderWasPaid_startsWithWhereItStands(t *testing.T) {
	e := newEnv(t)
	e.cfg.LivePollInterval = 300 * time.Millisecond
	r := withRouter(t, e, e.start(t, "live-feed"))
	e.waitForConsumers(t)
	cust := customer()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	old := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "old"}, e.tokens.headers(cust)), "placeOrder")
	wantNoErrors(t, r.Do(t, `mutation($id: ID!) { cancelOrder(id: $id, reason: "no") { id } }`, map[string]any{"id": old.ID}, e.tokens.headers(cust)))
	if _, err := e.pool.Exec(ctx, `UPDATE orders SET updated_at = now() - interval '1 hour' WHERE id = $1`, old.ID); err != nil {
		t.Fatal(err)
	}
	placed := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "paid"}, e.tokens.headers(cust)), "placeOrder")
	e.publish(t, placed.ID, contracts.PaymentSucceededV1{OrderID: placed.ID, CustomerID: cust.UserID})
	waitStatus(t, r, e.tokens.headers(cust), placed.ID, "PAID")

	dash := subscribeDashboard(t, ctx, r, e)
	if got := nextUpdate(t, ctx, dash).RestaurantOrders; got.Transition.To != "PAID" || got.Transition.Sequence != 2 || got.Order.ID != placed.ID {
		t.Fatalf("first event %+v, want 2 PAID of %s", got, placed.ID)
	}
	wantNoErrors(t, r.Do(t, `mutation($id: ID!) { acceptOrder(id: $id) { id } }`, map[string]any{"id": placed.ID}, e.tokens.headers(e.staff)))
	if got := nextUpdate(t, ctx, dash).RestaurantOrders; got.Transition.To != "ACCEPTED" || got.Transition.Sequence != 3 || got.Order.ID != placed.ID {
		t.Fatalf("next event %+v, want 3 ACCEPTED of %s", got, placed.ID)
	}
	wantSilence(t, dash)
}

func subscribeDashboard(t *testing.T, ctx context.Context, r *routertest.Router, e *env) *routertest.Subscription {
	t.Helper()
	dash, err := routertest.Subscribe(ctx, r.WSURL,
		`subscription($r: ID!) { restaurantOrders(restaurantId: $r) { transition { sequence to } order { id } } }`,
		map[string]any{"r": e.restaurant}, map[string]any{"Authorization": "Bearer " + e.tokens.token(e.staff)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dash.Close)
	return dash
}

// wantSilence fails if any subscription sends another event within a few polls: a
// duplicate or a replay.
func wantSilence(t *testing.T, subs ...*routertest.Subscription) {
	t.Helper()
	for _, s := range subs {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		ev, err := s.Next(ctx)
		cancel()
		if err == nil {
			t.Fatalf("an event after the last transition: %+v %s", ev.Errors, ev.Data)
		}
	}
}
