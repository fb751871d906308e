package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

type trackingJSON struct {
	DeliveryTracking struct {
		DriverID, DeliveryStatus string
		EtaSeconds               int
		Location                 struct{ Lat float64 }
	}
}

// The customer opens the tracking page right after paying, long before a courier
// accepts: the subscription waits for the delivery instead of answering NOT_FOUND, then
// shows the courier from where they are, every status change as it happens (no position
// fix needed to learn it), the ETA to the next stop (the restaurant, then the door), and
// completes after DELIVERED.
func TestThroughTheRouter_trackingOpenedBeforeACourierAcceptsWaits_followsEveryStepAndEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	e := startThroughRouter(t, ctx)
	suffix := strings.TrimPrefix(e.cfg.ConsumerGroup, "test-dispatch-")
	driver, customerID := "drv-"+suffix, "cust-"+suffix
	orderID, restaurantID := "ord-"+suffix, "rest-"+suffix
	asDriver := e.as(t, driver, "DRIVER")
	e.mustDo(t, asDriver, goOnline, map[string]any{"l": at(300)})
	offers := e.subscribe(t, ctx, `subscription { driverOffers { orderId } }`, nil, e.initPayload(t, driver, "DRIVER"))
	// The courier's app pings while it waits for an offer, as a real one does (a courier
	// silent for the stale window is taken offline; on a loaded machine the wait for
	// dispatch to learn of the order can be that long).
	pingCtx, stopPinging := context.WithCancel(ctx)
	var pinging sync.WaitGroup
	pinging.Go(func() {
		for {
			select {
			case <-pingCtx.Done():
				return
			case <-time.After(5 * time.Second):
				e.router.Do(t, updateLocation, map[string]any{"l": at(300)}, asDriver)
			}
		}
	})
	defer func() { stopPinging(); pinging.Wait() }()

	// Each topic has a consumer group of its own, joining at the newest offset when it is
	// ready: wait until all three have (the restaurant's location among the probes), so
	// that the order's events below are not published before one of them listens.
	probe := "probe-" + suffix
	e.waitForDispatchConsumers(t, ctx, []events.Envelope{
		envelope(t, "restaurants", restaurantID, contracts.RestaurantUpdatedV1{RestaurantID: restaurantID, Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}),
		envelope(t, "orders", probe, contracts.OrderCreatedV2{OrderID: probe, CustomerID: "nobody", RestaurantID: restaurantID}),
		envelope(t, "orders", probe, contracts.OrderStatusChangedV2{OrderID: probe, From: contracts.OrderPlaced, To: contracts.OrderPaid}),
	})
	created := []events.Envelope{
		envelope(t, "orders", orderID, contracts.OrderCreatedV2{OrderID: orderID, CustomerID: customerID, RestaurantID: restaurantID,
			DeliveryAddress: contracts.Address{Line1: "Amir Temur 1", City: "Tashkent", Lat: restaurant.Lat + 0.02, Lng: restaurant.Lng}, PlacedAt: time.Now()}),
	}
	// Open tracking as soon as dispatch has applied order.created (until then it answers
	// NOT_FOUND; publishing again is harmless: same event id, applied once).
	const track = `subscription($o: ID!) { deliveryTracking(orderId: $o) { driverId deliveryStatus etaSeconds location { lat } } }`
	var tracking <-chan *routertest.Response
	for tracking == nil {
		e.publish(t, ctx, created)
		ch := e.subscribe(t, ctx, track, map[string]any{"o": orderID}, e.initPayload(t, customerID, "CUSTOMER"))
		select {
		case r := <-ch:
			if r == nil || !r.HasCode("NOT_FOUND") {
				t.Fatalf("tracking before any courier: %+v, want it to wait (or NOT_FOUND before order.created is consumed)", r)
			}
			time.Sleep(500 * time.Millisecond)
		case <-time.After(3 * time.Second):
			tracking = ch // open and waiting
		case <-ctx.Done():
			t.Fatal("dispatch never learnt of the order")
		}
	}

	next := func(what string) trackingJSON {
		t.Helper()
		select {
		case r, ok := <-tracking:
			if !ok {
				t.Fatalf("%s: the stream ended", what)
			}
			var u trackingJSON
			if len(r.Errors) > 0 || r.Decode(&u) != nil {
				t.Fatalf("%s: %s %+v", what, r.Data, r.Errors)
			}
			return u
		case <-ctx.Done():
			t.Fatalf("%s: nothing arrived", what)
		}
		return trackingJSON{}
	}

	accepted := envelope(t, "orders", orderID, contracts.OrderStatusChangedV2{OrderID: orderID, CustomerID: customerID, RestaurantID: restaurantID,
		From: contracts.OrderPreparing, To: contracts.OrderAccepted, Actor: "restaurant", ChangedAt: time.Now()})
	e.publish(t, ctx, []events.Envelope{accepted})
	first(t, ctx, offers, "the offer")
	stopPinging()
	pinging.Wait()
	var acc struct{ AcceptOffer struct{ ID string } }
	if err := json.Unmarshal(e.mustDo(t, asDriver, `mutation($o: ID!) { acceptOffer(orderId: $o) { id } }`, map[string]any{"o": orderID}), &acc); err != nil {
		t.Fatal(err)
	}
	u := next("the courier accepting")
	if u.DeliveryTracking.DriverID != driver || u.DeliveryTracking.DeliveryStatus != "CONFIRMED" || u.DeliveryTracking.EtaSeconds <= 0 {
		t.Fatalf("after acceptance: %+v", u)
	}

	// Status changes arrive by themselves, each with its own status (none stale).
	step := func(mutation, want string) trackingJSON {
		t.Helper()
		e.mustDo(t, asDriver, `mutation($d: ID!) { `+mutation+`(deliveryId: $d) { status } }`, map[string]any{"d": acc.AcceptOffer.ID})
		u := next(mutation)
		if u.DeliveryTracking.DeliveryStatus != want {
			t.Fatalf("after %s: %+v, want %s", mutation, u, want)
		}
		return u
	}
	step("markEnrouteToPickup", "ENROUTE_TO_PICKUP")
	e.mustDo(t, asDriver, updateLocation, map[string]any{"l": at(0)})
	atRestaurant := next("a fix at the restaurant")
	step("markArrivedAtPickup", "ARRIVED_AT_PICKUP")
	pickedUp := step("markPickedUp", "PICKED_UP")
	// Standing at the restaurant: the next stop was the restaurant (only the 45 s handover
	// away); after pickup it is the door 2.2 km north.
	if atRestaurant.DeliveryTracking.EtaSeconds > 60 || pickedUp.DeliveryTracking.EtaSeconds < 180 {
		t.Fatalf("ETA at the restaurant %d s before pickup and %d s after: want the restaurant, then the door",
			atRestaurant.DeliveryTracking.EtaSeconds, pickedUp.DeliveryTracking.EtaSeconds)
	}
	step("markEnrouteToDropoff", "ENROUTE_TO_DROPOFF")
	step("markArrivedAtDropoff", "ARRIVED_AT_DROPOFF")
	step("markDelivered", "DELIVERED")
	select {
	case r, ok := <-tracking:
		if ok {
			t.Fatalf("after DELIVERED: %s %+v, want the stream to complete", r.Data, r.Errors)
		}
		if ctx.Err() != nil {
			t.Fatal("the stream did not complete after DELIVERED")
		}
	case <-ctx.Done():
		t.Fatal("the stream did not complete after DELIVERED")
	}
}
