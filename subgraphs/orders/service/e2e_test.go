package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// withRouter starts the real router in front of in; it verifies the tokens of e.tokens
// and forwards the identity they carry.
func withRouter(t *testing.T, e *env, in *instance) *routertest.Router {
	t.Helper()
	return routertest.Start(t, []routertest.Subgraph{{
		Name: "orders", URL: in.url, SDLFile: sdlFile(t),
		SubscriptionURL: "ws" + strings.TrimPrefix(in.url, "http"),
	}}, routertest.Options{RouterYAML: e.tokens.routerYAML()})
}

func waitStatus(t *testing.T, r *routertest.Router, who map[string][]string, id, want string) orderJSON {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		o := field(t, r.Do(t, `query($id: ID!) { order(id: $id) { `+orderFields+` } }`, map[string]any{"id": id}, who), "order")
		if o.Status == want {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s is %s, want %s", id, o.Status, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestThroughTheRouter_anOrderGoesFromPlacedToDelivered_andTheSubscriberSeesEveryTransitionInOrder(t *testing.T) {
	e := newEnv(t)
	in := e.start(t)
	r := withRouter(t, e, in)
	e.waitForConsumers(t)
	cust := customer()
	staff := e.tokens.headers(e.staff)

	placed := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "k1"}, e.tokens.headers(cust)), "placeOrder")
	// 2 x (25 000 + 5 000) + 3 000 + fee 1 000
	if placed.Status != "PLACED" || placed.Total.AmountMinor != 64000 {
		t.Fatalf("placed %+v", placed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sub, err := routertest.Subscribe(ctx, r.WSURL,
		`subscription($id: ID!) { orderUpdated(id: $id, since: 0) { transition { sequence to actor } order { id status } } }`,
		map[string]any{"id": placed.ID}, map[string]any{"Authorization": "Bearer " + e.tokens.token(cust)})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	e.publish(t, placed.ID, contracts.PaymentSucceededV1{OrderID: placed.ID, CustomerID: cust.UserID,
		Amount: contracts.Money{AmountMinor: 64000, Currency: "UZS"}, Method: "wallet"})
	waitStatus(t, r, e.tokens.headers(cust), placed.ID, "PAID")
	// A second tab opening the very same subscription gets its own replay at once, not
	// only what happens after it joined, whatever the router shares upstream.
	second, err := routertest.Subscribe(ctx, r.WSURL,
		`subscription($id: ID!) { orderUpdated(id: $id, since: 0) { transition { sequence to actor } order { id status } } }`,
		map[string]any{"id": placed.ID}, map[string]any{"Authorization": "Bearer " + e.tokens.token(cust)})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	for i, w := range []string{"PLACED", "PAID"} {
		if got := nextUpdate(t, ctx, second).OrderUpdated.Transition; got.To != w || got.Sequence != i+1 {
			t.Fatalf("second subscriber's event %d: %+v, want %s", i, got, w)
		}
	}
	for _, m := range []string{"acceptOrder", "markPreparing", "markReady"} {
		wantNoErrors(t, r.Do(t, `mutation($id: ID!) { `+m+`(id: $id) { id status } }`, map[string]any{"id": placed.ID}, staff))
	}
	e.publish(t, placed.ID, contracts.DispatchAssignedV1{OrderID: placed.ID, DriverID: "driver-1", RestaurantID: e.restaurant})
	e.publish(t, placed.ID, contracts.DeliveryStatusChangedV1{DeliveryID: "dlv-" + placed.ID, OrderID: placed.ID, From: contracts.DeliveryArrivedAtPickup, To: contracts.DeliveryPickedUp, ChangedAt: time.Now()})
	e.publish(t, placed.ID, contracts.DeliveryStatusChangedV1{DeliveryID: "dlv-" + placed.ID, OrderID: placed.ID, From: contracts.DeliveryArrivedAtDropoff, To: contracts.DeliveryDelivered, ChangedAt: time.Now()})
	final := waitStatus(t, r, e.tokens.headers(cust), placed.ID, "DELIVERED")
	if len(final.Timeline) != 7 {
		t.Errorf("timeline %+v", final.Timeline)
	}

	want := []string{"PLACED", "PAID", "ACCEPTED", "PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED"}
	for i, w := range want {
		ev, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if len(ev.Errors) > 0 {
			t.Fatalf("event %d: %+v", i, ev.Errors)
		}
		var data struct {
			OrderUpdated struct {
				Transition struct {
					Sequence int
					To       string
				}
			}
		}
		_ = json.Unmarshal(ev.Data, &data)
		if got := data.OrderUpdated.Transition; got.To != w || got.Sequence != i+1 {
			t.Fatalf("event %d: %+v, want %s", i, got, w)
		}
	}
	// DELIVERED is terminal: the stream completes instead of idling.
	if ev, err := sub.Next(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("after DELIVERED: %+v, %v; want the stream to complete", ev, err)
	}

	// A subscriber who arrives after the end gets the final status, then the end; one
	// resuming after the final transition gets the end at once.
	auth := map[string]any{"Authorization": "Bearer " + e.tokens.token(cust)}
	late, err := routertest.Subscribe(ctx, r.WSURL,
		`subscription($id: ID!) { orderUpdated(id: $id) { transition { sequence to } order { id } } }`,
		map[string]any{"id": placed.ID}, auth)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	if got := nextUpdate(t, ctx, late).OrderUpdated.Transition; got.To != "DELIVERED" || got.Sequence != 7 {
		t.Fatalf("late subscriber got %+v, want DELIVERED #7", got)
	}
	if ev, err := late.Next(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("late subscriber after DELIVERED: %+v, %v; want the stream to complete", ev, err)
	}
	resumed, err := routertest.Subscribe(ctx, r.WSURL,
		`subscription($id: ID!) { orderUpdated(id: $id, since: 7) { transition { sequence to } order { id } } }`,
		map[string]any{"id": placed.ID}, auth)
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Close()
	if ev, err := resumed.Next(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("resumed after the final transition: %+v, %v; want the stream to complete", ev, err)
	}
}

func TestThroughTheRouter_theSagaTakesEachOtherRoute(t *testing.T) {
	e := newEnv(t)
	e.cfg.AcceptanceTimeout = 2 * time.Second
	in := e.start(t)
	r := withRouter(t, e, in)
	e.waitForConsumers(t)
	staff := e.tokens.headers(e.staff)
	place := func(t *testing.T, key string) (orderJSON, map[string][]string) {
		cust := customer()
		return field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": key}, e.tokens.headers(cust)), "placeOrder"), e.tokens.headers(cust)
	}
	paid := func(t *testing.T, key string) (orderJSON, map[string][]string) {
		o, who := place(t, key)
		e.publish(t, o.ID, contracts.PaymentSucceededV1{OrderID: o.ID})
		waitStatus(t, r, who, o.ID, "PAID")
		return o, who
	}

	t.Run("insufficient funds fails the payment", func(t *testing.T) {
		o, who := place(t, "poor")
		e.publish(t, o.ID, contracts.PaymentFailedV1{OrderID: o.ID, Code: contracts.PaymentInsufficientFunds})
		got := waitStatus(t, r, who, o.ID, "PAYMENT_FAILED")
		if r := got.Timeline[1].Reason; r == nil || *r != "insufficient_funds" {
			t.Errorf("timeline %+v", got.Timeline)
		}
	})
	t.Run("the restaurant rejects a paid order", func(t *testing.T) {
		o, who := paid(t, "reject")
		wantNoErrors(t, r.Do(t, `mutation($id: ID!) { rejectOrder(id: $id, reason: "out of rice") { id } }`, map[string]any{"id": o.ID}, staff))
		waitStatus(t, r, who, o.ID, "REJECTED")
		// Rejecting twice is refused with CONFLICT.
		wantCode(t, r.Do(t, `mutation($id: ID!) { rejectOrder(id: $id, reason: "again") { id } }`, map[string]any{"id": o.ID}, staff), "CONFLICT")
	})
	t.Run("the customer cancels before acceptance but not after", func(t *testing.T) {
		o, who := paid(t, "cancel")
		wantNoErrors(t, r.Do(t, `mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { id } }`, map[string]any{"id": o.ID}, who))
		waitStatus(t, r, who, o.ID, "CANCELLED")
		o2, who2 := paid(t, "cancel-late")
		wantNoErrors(t, r.Do(t, `mutation($id: ID!) { acceptOrder(id: $id) { id } }`, map[string]any{"id": o2.ID}, staff))
		wantCode(t, r.Do(t, `mutation($id: ID!) { cancelOrder(id: $id) { id } }`, map[string]any{"id": o2.ID}, who2), "CONFLICT")
	})
	t.Run("an unanswered paid order is rejected at its deadline", func(t *testing.T) {
		o, who := paid(t, "timeout")
		got := waitStatus(t, r, who, o.ID, "REJECTED")
		last := got.Timeline[len(got.Timeline)-1]
		if last.Reason == nil || *last.Reason != "timeout" || last.Actor != "system:acceptance-deadline" {
			t.Errorf("last transition %+v", last)
		}
	})
	t.Run("placing twice with one key makes one order", func(t *testing.T) {
		cust := customer()
		a := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "dup"}, e.tokens.headers(cust)), "placeOrder")
		b := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "dup"}, e.tokens.headers(cust)), "placeOrder")
		if a.ID != b.ID {
			t.Errorf("two orders: %s, %s", a.ID, b.ID)
		}
	})
	t.Run("another customer and strangers cannot see or move the order", func(t *testing.T) {
		o, _ := place(t, "private")
		wantCode(t, r.Do(t, `query($id: ID!) { order(id: $id) { id } }`, map[string]any{"id": o.ID}, e.tokens.headers(customer())), "NOT_FOUND")
		wantCode(t, r.Do(t, `mutation($id: ID!) { acceptOrder(id: $id) { id } }`, map[string]any{"id": o.ID}, e.tokens.headers(customer())), "FORBIDDEN")
	})
}
