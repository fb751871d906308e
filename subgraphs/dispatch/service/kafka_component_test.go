package service_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/service"
)

// The whole loop on the real Kafka: orders' events in, an offer to the courier over the
// subscription, the courier accepts, dispatch.assigned out through the outbox.
func TestDispatchSubgraph_anAcceptedOrderOnKafkaReachesTheNearestCourierAndDispatchAssignedIsPublished(t *testing.T) {
	c := boot(t, func(cfg *service.Config) {
		cfg.ConsumeFromStart = false
		cfg.DispatchInterval = 100 * time.Millisecond
		cfg.OfferTimeout = 5 * time.Second
	})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	producer := kafka.NewProducer(c.cfg.KafkaBrokers)
	defer producer.Close()
	loops, err := c.svc.Components(ctx, producer)
	if err != nil {
		t.Fatalf("Kafka at %v not usable (start it with `deploy/local/services.sh up kafka`): %v", c.cfg.KafkaBrokers, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = lifecycle.Run(runCtx, slog.Default(), 5*time.Second, loops...) })
	defer func() { stop(); wg.Wait() }()

	near, far := headers("drv-near", authz.RoleDriver), headers("drv-far", authz.RoleDriver)
	c.mustDo(t, near, `mutation($l: LocationInput!) { goOnline(location: $l, vehicle: SCOOTER) { id } }`,
		map[string]any{"l": map[string]any{"lat": restaurant.Lat + 0.003, "lng": restaurant.Lng}})
	c.mustDo(t, far, `mutation($l: LocationInput!) { goOnline(location: $l, vehicle: SCOOTER) { id } }`,
		map[string]any{"l": map[string]any{"lat": restaurant.Lat + 0.012, "lng": restaurant.Lng}})
	offers, first := c.subscribe(t, ctx, near, `subscription { driverOffers { orderId pickup { lat } } }`, nil)
	if offers == nil {
		t.Fatalf("offers refused: %+v", first)
	}

	orderID := "ord-" + strings.TrimPrefix(c.cfg.ConsumerGroup, "test-dispatch-")
	var evs []events.Envelope
	for _, p := range []struct {
		subject string
		payload events.Payload
	}{
		{"r-kafka", contracts.RestaurantUpdatedV1{RestaurantID: "r-kafka", Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}},
		{orderID, contracts.OrderCreatedV1{OrderID: orderID, CustomerID: "cust-1", RestaurantID: "r-kafka",
			DeliveryAddress: contracts.Address{Lat: restaurant.Lat + 0.02, Lng: restaurant.Lng}}},
		{orderID, contracts.OrderStatusChangedV1{OrderID: orderID, From: contracts.OrderPaid, To: contracts.OrderAccepted}},
	} {
		e, err := events.New(ctx, "orders", p.subject, p.payload)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	// The new consumer groups start at the newest offset once they have joined; until an
	// offer shows up, publish again (same event ids: the consumers apply each once).
	got := make(chan map[string]any, 1)
	go func() {
		for m := range offers.msgs {
			if m["type"] == "next" {
				got <- m
				return
			}
		}
	}()
	var offer map[string]any
	for offer == nil {
		for _, e := range evs {
			m, err := e.Message()
			if err != nil {
				t.Fatal(err)
			}
			if err := producer.Publish(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case offer = <-got:
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			t.Fatal("no offer reached the nearest courier")
		}
	}
	b, _ := json.Marshal(offer)
	if !strings.Contains(string(b), orderID) {
		t.Fatalf("offer %s", b)
	}
	c.mustDo(t, near, `mutation($o: ID!) { acceptOffer(orderId: $o) { status } }`, map[string]any{"o": orderID})

	for {
		var assigned *contracts.DispatchAssignedV1
		_ = kafka.ReadToEnd(ctx, c.cfg.KafkaBrokers, contracts.TypeDispatchAssigned, func(m kafka.Message) error {
			e, err := events.FromMessage(m)
			if err != nil || e.Subject != orderID {
				return nil
			}
			var p contracts.DispatchAssignedV1
			if e.Decode(&p) == nil {
				assigned = &p
			}
			return nil
		})
		if assigned != nil {
			if assigned.DriverID != "drv-near" || assigned.RestaurantID != "r-kafka" || assigned.PickupETA.IsZero() {
				t.Fatalf("dispatch.assigned %+v", assigned)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("dispatch.assigned never reached Kafka")
		case <-time.After(300 * time.Millisecond):
		}
	}
}
