package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/service"
)

// A courier app that restarts (or loses its socket) must find its work again: the
// pending offer on Driver.currentOffer and replayed on a new driverOffers subscription,
// the delivery under way on Driver.currentDelivery, and the finished one on
// Driver.deliveries (the courier's history).
func TestThroughTheRouter_aRestartedCourierAppFindsItsPendingOfferAndItsCurrentDelivery(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	// The offer outlives the restarts below however slow the machine is.
	e := startThroughRouterWith(t, ctx, func(cfg *service.Config) { cfg.OfferTimeout = 90 * time.Second })
	suffix := strings.TrimPrefix(e.cfg.ConsumerGroup, "test-dispatch-")
	driver, otherDriver := "drv-"+suffix, "drv-other-"+suffix
	customerID, orderID, restaurantID := "cust-"+suffix, "ord-"+suffix, "rest-"+suffix
	asDriver, asOtherDriver, asAdmin := e.as(t, driver, "DRIVER"), e.as(t, otherDriver, "DRIVER"), e.as(t, "admin-"+suffix, "ADMIN")

	const work = `query($id: ID!) { driver(id: $id) { id status currentOffer { orderId expiresAt pickup { lat } dropoff { lat } } currentDelivery { id status order { id } } } }`
	type workView struct {
		Driver *struct {
			Status       string
			CurrentOffer *struct {
				OrderID, ExpiresAt string
				Pickup, Dropoff    *struct{ Lat float64 }
			}
			CurrentDelivery *struct {
				ID, Status string
				Order      struct{ ID string }
			}
		}
	}
	read := func(who map[string][]string) workView {
		t.Helper()
		var v workView
		if err := json.Unmarshal(e.mustDo(t, who, work, map[string]any{"id": driver}), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	e.mustDo(t, asDriver, goOnline, map[string]any{"l": at(300)})
	if v := read(asDriver); v.Driver == nil || v.Driver.Status != "AVAILABLE" || v.Driver.CurrentOffer != nil || v.Driver.CurrentDelivery != nil {
		t.Fatalf("an available courier holds no work: %+v", v.Driver)
	}
	const offersSub = `subscription { driverOffers { orderId expiresAt pickup { lat } } }`
	app, offers := e.open(t, ctx, offersSub, driver)
	evs := []events.Envelope{
		envelope(t, "restaurants", restaurantID, contracts.RestaurantUpdatedV1{RestaurantID: restaurantID, Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}),
		envelope(t, "orders", orderID, contracts.OrderCreatedV2{OrderID: orderID, CustomerID: customerID, RestaurantID: restaurantID,
			DeliveryAddress: contracts.Address{Line1: "Amir Temur 1", City: "Tashkent", Lat: restaurant.Lat + 0.02, Lng: restaurant.Lng}, PlacedAt: time.Now()}),
		envelope(t, "orders", orderID, contracts.OrderStatusChangedV2{OrderID: orderID, CustomerID: customerID, RestaurantID: restaurantID,
			From: contracts.OrderPreparing, To: contracts.OrderAccepted, Actor: "restaurant", ChangedAt: time.Now()}),
	}
	var live *routertest.Response
	for live == nil {
		e.publish(t, ctx, evs)
		select {
		case live = <-offers:
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			t.Fatal("no offer reached the courier through the router")
		}
	}
	type offerMsg struct {
		DriverOffers struct {
			OrderID, ExpiresAt string
			Pickup             struct{ Lat float64 }
		}
	}
	var live0 offerMsg
	if len(live.Errors) > 0 || live.Decode(&live0) != nil || live0.DriverOffers.OrderID != orderID {
		t.Fatalf("live offer: %s %+v", live.Data, live.Errors)
	}

	// The app restarts while the offer is out: the offer is on the courier's profile...
	v := read(asDriver)
	if v.Driver.Status != "OFFERED" || v.Driver.CurrentOffer == nil || v.Driver.CurrentOffer.OrderID != orderID ||
		v.Driver.CurrentOffer.Pickup == nil || v.Driver.CurrentOffer.Pickup.Lat != restaurant.Lat || v.Driver.CurrentOffer.Dropoff == nil {
		t.Fatalf("currentOffer after the offer: %+v", v.Driver)
	}
	wantUntil, _ := time.Parse(time.RFC3339Nano, live0.DriverOffers.ExpiresAt)
	gotUntil, _ := time.Parse(time.RFC3339Nano, v.Driver.CurrentOffer.ExpiresAt)
	if wantUntil.IsZero() || !gotUntil.Equal(wantUntil) {
		t.Fatalf("currentOffer expires at %q, the live offer at %q", v.Driver.CurrentOffer.ExpiresAt, live0.DriverOffers.ExpiresAt)
	}
	// ...and the reloaded app's new subscription hears it first thing, once. (The router
	// shares one upstream subscription among identical ones, so the old socket is
	// closed first, as a reload does; should the router still be tearing the old
	// upstream down, the app's reconnect tries again.)
	app.Close()
	var again <-chan *routertest.Response
	var replayed offerMsg
	for attempt := 1; ; attempt++ {
		var r *routertest.Response
		app, again = e.open(t, ctx, offersSub, driver)
		select {
		case r = <-again:
		case <-time.After(5 * time.Second):
		}
		if r != nil {
			if len(r.Errors) > 0 || r.Decode(&replayed) != nil || replayed.DriverOffers != live0.DriverOffers {
				t.Fatalf("replayed offer: %s %+v (live one %+v)", r.Data, r.Errors, live0.DriverOffers)
			}
			break
		}
		app.Close()
		if attempt == 3 {
			t.Fatal("a resubscribing courier was not replayed the offer it holds")
		}
		t.Logf("resubscription %d heard nothing; reconnecting", attempt)
	}
	select {
	case r := <-again:
		t.Fatalf("the replayed offer came twice: %s", r.Data)
	case <-time.After(500 * time.Millisecond):
	}
	// Another courier's subscription replays nothing; another courier sees no work on
	// this courier's profile (an admin does).
	_, other := e.open(t, ctx, offersSub, otherDriver)
	select {
	case r := <-other:
		t.Fatalf("another courier heard this courier's offer: %s", r.Data)
	case <-time.After(500 * time.Millisecond):
	}
	if resp := e.router.Do(t, work, map[string]any{"id": driver}, asOtherDriver); len(resp.Errors) == 0 {
		var ov workView
		if err := resp.Decode(&ov); err != nil {
			t.Fatal(err)
		}
		if ov.Driver != nil && (ov.Driver.CurrentOffer != nil || ov.Driver.CurrentDelivery != nil) {
			t.Fatalf("another courier sees this courier's work: %s", resp.Data)
		}
	}
	if v := read(asAdmin); v.Driver.CurrentOffer == nil || v.Driver.CurrentOffer.OrderID != orderID {
		t.Fatalf("an admin sees the courier's offer: %+v", v.Driver)
	}

	var accepted struct{ AcceptOffer struct{ ID string } }
	if err := json.Unmarshal(e.mustDo(t, asDriver, `mutation($o: ID!) { acceptOffer(orderId: $o) { id } }`, map[string]any{"o": orderID}), &accepted); err != nil {
		t.Fatal(err)
	}
	deliveryID := accepted.AcceptOffer.ID
	for _, step := range []string{"markEnrouteToPickup", "markArrivedAtPickup", "markPickedUp"} {
		e.mustDo(t, asDriver, `mutation($d: ID!) { `+step+`(deliveryId: $d) { status } }`, map[string]any{"d": deliveryID})
	}
	// Restarted mid-delivery: no offer any more, the delivery with its step.
	v = read(asDriver)
	if v.Driver.Status != "ON_DELIVERY" || v.Driver.CurrentOffer != nil || v.Driver.CurrentDelivery == nil ||
		v.Driver.CurrentDelivery.ID != deliveryID || v.Driver.CurrentDelivery.Status != "PICKED_UP" || v.Driver.CurrentDelivery.Order.ID != orderID {
		t.Fatalf("currentDelivery mid-delivery: %+v", v.Driver)
	}
	// A courier on a delivery who resubscribes is offered nothing.
	app.Close()
	_, third := e.open(t, ctx, offersSub, driver)
	select {
	case r := <-third:
		t.Fatalf("a courier on a delivery was replayed an offer: %s", r.Data)
	case <-time.After(2 * time.Second):
	}
	for _, step := range []string{"markEnrouteToDropoff", "markArrivedAtDropoff", "markDelivered"} {
		e.mustDo(t, asDriver, `mutation($d: ID!) { `+step+`(deliveryId: $d) { status } }`, map[string]any{"d": deliveryID})
	}
	if v := read(asDriver); v.Driver.Status != "AVAILABLE" || v.Driver.CurrentOffer != nil || v.Driver.CurrentDelivery != nil {
		t.Fatalf("after delivery the courier holds no work: %+v", v.Driver)
	}

	// The delivery is in the courier's history with its steps (the courier and admins
	// only); a bad page size is the caller's error.
	const history = `query($id: ID!, $n: Int) { driver(id: $id) { deliveries(first: $n) { id status order { id } timeline { to } } } }`
	type historyView struct {
		Driver *struct {
			Deliveries []struct {
				ID, Status string
				Order      struct{ ID string }
				Timeline   []struct{ To string }
			}
		}
	}
	for _, who := range []map[string][]string{asDriver, asAdmin} {
		var h historyView
		if err := json.Unmarshal(e.mustDo(t, who, history, map[string]any{"id": driver, "n": 5}), &h); err != nil {
			t.Fatal(err)
		}
		if h.Driver == nil || len(h.Driver.Deliveries) != 1 || h.Driver.Deliveries[0].ID != deliveryID || h.Driver.Deliveries[0].Status != "DELIVERED" ||
			h.Driver.Deliveries[0].Order.ID != orderID || len(h.Driver.Deliveries[0].Timeline) < 7 {
			t.Fatalf("the courier's history: %+v", h.Driver)
		}
	}
	if resp := e.router.Do(t, history, map[string]any{"id": driver}, asOtherDriver); len(resp.Errors) == 0 && strings.Contains(string(resp.Data), deliveryID) {
		t.Fatalf("another courier reads this courier's history: %s", resp.Data)
	}
	if resp := e.router.Do(t, history, map[string]any{"id": driver, "n": 0}, asDriver); !resp.HasCode("BAD_USER_INPUT") {
		t.Fatalf("deliveries(first: 0): %s %+v, want BAD_USER_INPUT", resp.Data, resp.Errors)
	}
}

// open subscribes as a courier; the caller may close the subscription early (an app
// reloading), and the test closes it at the end in any case.
func (e throughRouter) open(t *testing.T, ctx context.Context, query, driver string) (*routertest.Subscription, <-chan *routertest.Response) {
	t.Helper()
	sub, err := routertest.Subscribe(ctx, e.router.WSURL, query, nil, e.initPayload(t, driver, "DRIVER"))
	if err != nil {
		t.Fatalf("subscribe through the router: %v", err)
	}
	t.Cleanup(sub.Close)
	out := make(chan *routertest.Response, 16)
	go func() {
		defer close(out)
		for {
			r, err := sub.Next(ctx)
			if err != nil {
				return
			}
			out <- r
		}
	}()
	return sub, out
}
