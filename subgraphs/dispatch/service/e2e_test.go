package service_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/service"
)

// The end-to-end tests run dispatch behind the real router (router/cmd/router, built by
// routertest), which verifies EdDSA access tokens from a test issuer, strips any
// X-DizhTime-* header a client sends and forwards the verified caller to dispatch, on
// HTTP and on the upstream WebSocket of a subscription alike.

type throughRouter struct {
	component
	router   *routertest.Router
	issuer   *routertest.Issuer
	producer *kafka.Producer
}

// startThroughRouter boots dispatch with its background loops and a router in front of
// it and of any other subgraphs given.
func startThroughRouter(t *testing.T, ctx context.Context, others ...routertest.Subgraph) throughRouter {
	t.Helper()
	return startThroughRouterWith(t, ctx, nil, others...)
}

// startThroughRouterWith is startThroughRouter with the test's own config changes.
func startThroughRouterWith(t *testing.T, ctx context.Context, tune func(*service.Config), others ...routertest.Subgraph) throughRouter {
	t.Helper()
	c := boot(t, func(cfg *service.Config) {
		cfg.ConsumeFromStart = false
		cfg.DispatchInterval = 100 * time.Millisecond
		cfg.OfferTimeout = 10 * time.Second
		if tune != nil {
			tune(cfg)
		}
	})
	producer := kafka.NewProducer(c.cfg.KafkaBrokers)
	t.Cleanup(func() { _ = producer.Close() })
	loops, err := c.svc.Components(ctx, producer)
	if err != nil {
		t.Fatalf("Kafka at %v not usable (start it with `deploy/local/services.sh up kafka`): %v", c.cfg.KafkaBrokers, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = lifecycle.Run(runCtx, slog.Default(), 5*time.Second, loops...) })
	t.Cleanup(func() { stop(); wg.Wait() })

	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	iss := routertest.NewIssuer(t)
	r := routertest.Start(t, append([]routertest.Subgraph{{
		Name: "dispatch", URL: c.url, SDLFile: filepath.Join(root, "schema", "dispatch.graphqls"),
		SubscriptionURL: "ws" + strings.TrimPrefix(c.url, "http"),
	}}, others...), routertest.Options{RouterYAML: iss.RouterYAML()})
	return throughRouter{component: c, router: r, issuer: iss, producer: producer}
}

// as is the Authorization header of a token for user with role.
func (e throughRouter) as(t *testing.T, user, role string) map[string][]string {
	return routertest.Bearer(e.issuer.Token(t, user, role))
}

func (e throughRouter) initPayload(t *testing.T, user, role string) map[string]any {
	return map[string]any{"Authorization": "Bearer " + e.issuer.Token(t, user, role)}
}

func (e throughRouter) mustDo(t *testing.T, who map[string][]string, query string, vars map[string]any) json.RawMessage {
	t.Helper()
	resp := e.router.Do(t, query, vars, who)
	if len(resp.Errors) > 0 {
		t.Fatalf("%s: %+v (data %s)", query, resp.Errors, resp.Data)
	}
	return resp.Data
}

func (e throughRouter) wantCode(t *testing.T, who map[string][]string, code, query string, vars map[string]any) {
	t.Helper()
	resp := e.router.Do(t, query, vars, who)
	if !resp.HasCode(code) {
		t.Fatalf("%s: want %s, got %+v (data %s)", query, code, resp.Errors, resp.Data)
	}
}

// subscribe opens a subscription through the router and delivers its events on a channel.
func (e throughRouter) subscribe(t *testing.T, ctx context.Context, query string, vars, init map[string]any) <-chan *routertest.Response {
	t.Helper()
	sub, err := routertest.Subscribe(ctx, e.router.WSURL, query, vars, init)
	if err != nil {
		t.Fatalf("subscribe through the router: %v", err)
	}
	t.Cleanup(sub.Close)
	out := make(chan *routertest.Response, 64)
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
	return out
}

func (e throughRouter) publish(t *testing.T, ctx context.Context, evs []events.Envelope) {
	t.Helper()
	for _, ev := range evs {
		m, err := ev.Message()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.producer.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
}

func envelope(t *testing.T, source, subject string, p events.Payload) events.Envelope {
	t.Helper()
	ev, err := events.New(context.Background(), source, subject, p)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func first(t *testing.T, ctx context.Context, ch <-chan *routertest.Response, what string) *routertest.Response {
	t.Helper()
	select {
	case r, ok := <-ch:
		if !ok {
			t.Fatalf("%s: the subscription ended", what)
		}
		return r
	case <-ctx.Done():
		t.Fatalf("%s: nothing arrived", what)
	}
	return nil
}

const (
	goOnline       = `mutation($l: LocationInput!) { goOnline(location: $l, vehicle: SCOOTER) { id status } }`
	updateLocation = `mutation($l: LocationInput!, $d: ID) { updateLocation(location: $l, driverId: $d) { id lastLocation { lat } } }`
)

func at(dNorth float64) map[string]any {
	return map[string]any{"lat": restaurant.Lat + dNorth/111_195, "lng": restaurant.Lng}
}

func TestThroughTheRouter_aCourierIsOfferedAnAcceptedOrderOverTheSocketAndDeliversItWhileTheCustomerTracks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	e := startThroughRouter(t, ctx)
	suffix := strings.TrimPrefix(e.cfg.ConsumerGroup, "test-dispatch-")
	driver, otherDriver := "drv-"+suffix, "drv-other-"+suffix
	customerID, otherCustomer := "cust-"+suffix, "cust-other-"+suffix
	orderID, restaurantID := "ord-"+suffix, "rest-"+suffix
	asDriver, asOtherDriver := e.as(t, driver, "DRIVER"), e.as(t, otherDriver, "DRIVER")
	asCustomer, asOtherCustomer := e.as(t, customerID, "CUSTOMER"), e.as(t, otherCustomer, "CUSTOMER")

	e.mustDo(t, asDriver, goOnline, map[string]any{"l": at(300)})
	e.mustDo(t, asOtherDriver, goOnline, map[string]any{"l": at(9_000)})
	offers := e.subscribe(t, ctx, `subscription { driverOffers { orderId expiresAt pickup { lat lng } } }`, nil, e.initPayload(t, driver, "DRIVER"))

	// What restaurants and orders publish on the way to ACCEPTED (orders' v2 events). The
	// new consumer groups start at the newest offset once they have joined: until the
	// offer arrives, publish again (same event ids, so each is applied once).
	evs := []events.Envelope{
		envelope(t, "restaurants", restaurantID, contracts.RestaurantUpdatedV1{RestaurantID: restaurantID, Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}),
		envelope(t, "orders", orderID, contracts.OrderCreatedV2{OrderID: orderID, CustomerID: customerID, RestaurantID: restaurantID,
			DeliveryAddress: contracts.Address{Line1: "Amir Temur 1", City: "Tashkent", Lat: restaurant.Lat + 0.02, Lng: restaurant.Lng}, PlacedAt: time.Now()}),
		envelope(t, "orders", orderID, contracts.OrderStatusChangedV2{OrderID: orderID, CustomerID: customerID, RestaurantID: restaurantID,
			From: contracts.OrderPreparing, To: contracts.OrderAccepted, Actor: "restaurant", ChangedAt: time.Now()}),
	}
	var offer *routertest.Response
	for offer == nil {
		e.publish(t, ctx, evs)
		select {
		case offer = <-offers:
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			t.Fatal("no offer reached the courier through the router")
		}
	}
	var o struct {
		DriverOffers struct {
			OrderID string
			Pickup  struct{ Lat, Lng float64 }
		}
	}
	if len(offer.Errors) > 0 || offer.Decode(&o) != nil || o.DriverOffers.OrderID != orderID || o.DriverOffers.Pickup.Lat != restaurant.Lat {
		t.Fatalf("offer through the router: %s %+v", offer.Data, offer.Errors)
	}

	var accepted struct{ AcceptOffer struct{ ID, Status string } }
	if err := json.Unmarshal(e.mustDo(t, asDriver, `mutation($o: ID!) { acceptOffer(orderId: $o) { id status } }`, map[string]any{"o": orderID}), &accepted); err != nil {
		t.Fatal(err)
	}
	deliveryID := accepted.AcceptOffer.ID
	if accepted.AcceptOffer.Status != "CONFIRMED" {
		t.Fatalf("accepted: %+v", accepted)
	}

	// Only the order's customer may track it: the verified identity reaches dispatch on
	// the upstream WebSocket, and a forged identity header is stripped by the router.
	track := `subscription($o: ID!) { deliveryTracking(orderId: $o) { orderId driverId deliveryStatus etaSeconds location { lat } } }`
	refused := e.subscribe(t, ctx, track, map[string]any{"o": orderID}, map[string]any{
		"Authorization": "Bearer " + e.issuer.Token(t, otherCustomer, "CUSTOMER"), "X-DizhTime-User-Id": customerID})
	if r := first(t, ctx, refused, "another customer's tracking"); !r.HasCode("FORBIDDEN") {
		t.Fatalf("another customer tracking: %s %+v", r.Data, r.Errors)
	}
	forged := asOtherCustomer
	forged["X-DizhTime-User-Id"] = []string{customerID}
	e.wantCode(t, forged, "FORBIDDEN", `query($id: ID!) { delivery(id: $id) { id } }`, map[string]any{"id": deliveryID})

	tracking := e.subscribe(t, ctx, track, map[string]any{"o": orderID}, e.initPayload(t, customerID, "CUSTOMER"))
	// The subscription is live once the router has opened it upstream: ping until an
	// update arrives.
	var update *routertest.Response
	for update == nil {
		e.mustDo(t, asDriver, updateLocation, map[string]any{"l": at(150)})
		select {
		case update = <-tracking:
		case <-time.After(time.Second):
		case <-ctx.Done():
			t.Fatal("no tracking update reached the customer through the router")
		}
	}
	var u struct {
		DeliveryTracking struct {
			OrderID, DriverID, DeliveryStatus string
			EtaSeconds                        int
		}
	}
	if len(update.Errors) > 0 || update.Decode(&u) != nil || u.DeliveryTracking.DriverID != driver || u.DeliveryTracking.OrderID != orderID ||
		u.DeliveryTracking.DeliveryStatus != "CONFIRMED" || u.DeliveryTracking.EtaSeconds <= 0 {
		t.Fatalf("tracking update: %s %+v", update.Data, update.Errors)
	}

	// A courier cannot move another courier, nor drive another's delivery.
	e.wantCode(t, asOtherDriver, "FORBIDDEN", updateLocation, map[string]any{"l": at(10), "d": driver})
	e.wantCode(t, asOtherDriver, "FORBIDDEN", `mutation($d: ID!) { markPickedUp(deliveryId: $d) { status } }`, map[string]any{"d": deliveryID})
	e.wantCode(t, asCustomer, "FORBIDDEN", `mutation($d: ID!) { markPickedUp(deliveryId: $d) { status } }`, map[string]any{"d": deliveryID})

	for _, step := range []struct{ mutation, want string }{
		{"markEnrouteToPickup", "ENROUTE_TO_PICKUP"}, {"markArrivedAtPickup", "ARRIVED_AT_PICKUP"}, {"markPickedUp", "PICKED_UP"},
		{"markEnrouteToDropoff", "ENROUTE_TO_DROPOFF"}, {"markArrivedAtDropoff", "ARRIVED_AT_DROPOFF"}, {"markDelivered", "DELIVERED"},
	} {
		var out map[string]struct{ Status string }
		if err := json.Unmarshal(e.mustDo(t, asDriver, `mutation($d: ID!) { `+step.mutation+`(deliveryId: $d) { status } }`, map[string]any{"d": deliveryID}), &out); err != nil {
			t.Fatal(err)
		}
		if out[step.mutation].Status != step.want {
			t.Fatalf("%s: %+v", step.mutation, out)
		}
		if step.want == "PICKED_UP" {
			// The customer now sees the courier heading for the drop-off (the tracking
			// feed re-reads the delivery's status at most once a second: keep pinging).
			for u.DeliveryTracking.DeliveryStatus != "PICKED_UP" {
				e.mustDo(t, asDriver, updateLocation, map[string]any{"l": at(-100)})
				select {
				case r := <-tracking:
					if r == nil || r.Decode(&u) != nil {
						t.Fatalf("tracking after pickup: %+v", r)
					}
				case <-time.After(300 * time.Millisecond):
				case <-ctx.Done():
					t.Fatalf("the customer never saw PICKED_UP (last %+v)", u)
				}
			}
		}
	}
	var seen struct {
		Delivery struct {
			Status   string
			Driver   struct{ ID, Status string }
			Timeline []struct{ To, Actor string }
		}
	}
	if err := json.Unmarshal(e.mustDo(t, asCustomer, `query($id: ID!) { delivery(id: $id) { status driver { id status } timeline { to actor } } }`,
		map[string]any{"id": deliveryID}), &seen); err != nil {
		t.Fatal(err)
	}
	if seen.Delivery.Status != "DELIVERED" || len(seen.Delivery.Timeline) != 8 || seen.Delivery.Driver.Status != "AVAILABLE" {
		t.Fatalf("the customer's view of the delivery: %+v", seen.Delivery)
	}
}
