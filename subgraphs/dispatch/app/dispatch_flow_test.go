package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// schemaPool is a pool working in a fresh schema, dropped when the test ends.
func schemaPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv("DIZHTIME_POSTGRES_URL")
	if url == "" {
		url = endpoints.Postgres()
	}
	ctx := context.Background()
	admin, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL not reachable (start it with `deploy/local/services.sh up postgres`): %v", err)
	}
	t.Cleanup(admin.Close)
	schema := "test_dispatch_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	pool, err := postgres.Open(ctx, url, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["search_path"] = schema })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := adapters.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

type fixture struct {
	pool  *pgxpool.Pool
	store *adapters.Store
	live  *adapters.LiveIndex
	app   *app.Application
}

func newFixture(t *testing.T, cfg app.Config) fixture {
	pool := schemaPool(t)
	e, err := redisdb.StartEmbedded("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	c, err := redisdb.Connect(context.Background(), e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	live := adapters.NewLiveIndex(c, "dispatch:")
	store := adapters.NewStore(pool, outbox.New(outbox.WithoutNotify()))
	a, err := app.New(store, live, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{pool, store, live, a}
}

func testConfig() app.Config {
	cfg := app.DefaultConfig()
	cfg.Match = app.MatchConfig{Want: 3, OfferTimeout: 300 * time.Millisecond, Attempts: 1, PollInterval: 10 * time.Millisecond}
	cfg.MatchRounds, cfg.RoundBackoff = 2, 0
	return cfg
}

func (f fixture) deliver(t *testing.T, ctx context.Context, e events.Envelope) {
	t.Helper()
	if err := f.app.HandleEvent(ctx, f.store, e); err != nil {
		t.Fatalf("handle %s: %v", e.Type, err)
	}
}

func event(t *testing.T, subject string, p events.Payload) events.Envelope {
	e, err := events.New(context.Background(), "test", subject, p)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// acceptedOrder replays what orders and restaurants publish up to ACCEPTED.
func (f fixture) acceptedOrder(t *testing.T, ctx context.Context, orderID string) {
	f.deliver(t, ctx, event(t, "r1", contracts.RestaurantUpdatedV1{RestaurantID: "r1", Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}))
	f.deliver(t, ctx, event(t, orderID, contracts.OrderCreatedV1{OrderID: orderID, CustomerID: "c1", RestaurantID: "r1",
		DeliveryAddress: contracts.Address{Lat: restaurant.Lat + 0.01, Lng: restaurant.Lng}}))
	f.deliver(t, ctx, event(t, orderID, contracts.OrderStatusChangedV1{OrderID: orderID, From: contracts.OrderPaid, To: contracts.OrderAccepted}))
}

// outboxTypes lists the outbox's event types in commit order, after checking every
// payload against its contract's JSON schema.
func outboxTypes(t *testing.T, pool *pgxpool.Pool) []string {
	rows, err := pool.Query(context.Background(), `SELECT topic, value FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var topic string
		var value []byte
		if err := rows.Scan(&topic, &value); err != nil {
			t.Fatal(err)
		}
		var e events.Envelope
		if err := json.Unmarshal(value, &e); err != nil {
			t.Fatal(err)
		}
		raw, err := contracts.Schema(e.Type, e.Version)
		if err != nil {
			t.Fatalf("%s v%d has no contract: %v", e.Type, e.Version, err)
		}
		doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		url := fmt.Sprintf("mem://%s/v%d.json", e.Type, e.Version)
		_ = c.AddResource(url, doc)
		schema, err := c.Compile(url)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := jsonschema.UnmarshalJSON(bytes.NewReader(e.Data))
		if err := schema.Validate(data); err != nil {
			t.Fatalf("%s payload %s breaks its contract: %v", e.Type, e.Data, err)
		}
		out = append(out, topic)
	}
	return out
}

func TestDispatch_anAcceptedOrderIsMatchedAssignedAndDeliveredWithContractValidEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	if _, err := f.app.GoOnline(ctx, "drv-1", domain.VehicleScooter, near(300)); err != nil {
		t.Fatal(err)
	}
	f.acceptedOrder(t, ctx, "ord-1")
	f.acceptedOrder(t, ctx, "ord-1") // a redelivered trigger changes nothing
	// The driver's phone accepts the offer as soon as it sees it.
	sub := f.live.Subscribe(ctx, f.live.OffersChannel("drv-1"))
	defer sub.Close()
	go func() {
		if msg, err := sub.ReceiveMessage(ctx); err == nil {
			order, _, _ := strings.Cut(msg.Payload, "|")
			_, _ = f.app.AcceptOffer(ctx, "drv-1", order)
		}
	}()
	if n, err := f.app.DispatchRound(ctx, 10); err != nil || n != 1 {
		t.Fatalf("dispatch round claimed %d: %v", n, err)
	}
	d, err := f.store.DeliveryByOrder(ctx, "ord-1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != domain.DeliveryConfirmed || d.DriverID != "drv-1" || d.PickupETA.IsZero() {
		t.Fatalf("after matching: %+v", d)
	}
	if _, err := f.app.Advance(ctx, "drv-2", d.ID, domain.DeliveryPickedUp); !errors.Is(err, domain.ErrNotYourDelivery) {
		t.Fatalf("another driver marking pickup = %v, want ErrNotYourDelivery", err)
	}
	if _, err := f.app.Advance(ctx, "drv-1", d.ID, domain.DeliveryPickedUp); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Advance(ctx, "drv-1", d.ID, domain.DeliveryDelivered); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.live.Driver(ctx, "drv-1"); st.Status != domain.DriverAvailable {
		t.Fatalf("driver after delivery: %s", st.Status)
	}
	d, _ = f.store.Delivery(ctx, d.ID)
	if len(d.Timeline) != 4 || d.Timeline[1].Actor != "driver:drv-1" {
		t.Fatalf("timeline %+v", d.Timeline)
	}
	// created (no "from"), then confirmed with the assignment, picked_up, delivered.
	want := []string{contracts.TypeDeliveryStatusChanged, contracts.TypeDispatchAssigned, contracts.TypeDeliveryStatusChanged,
		contracts.TypeDeliveryStatusChanged, contracts.TypeDeliveryStatusChanged}
	if got := outboxTypes(t, f.pool); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("outbox %v, want %v", got, want)
	}
}

func TestDispatch_escalatesWhenNoDriverIsFoundAfterItsRounds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	f.acceptedOrder(t, ctx, "ord-1")
	for round := 1; round <= 3; round++ {
		if _, err := f.app.DispatchRound(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	types := outboxTypes(t, f.pool)
	if n := strings.Count(strings.Join(types, ","), contracts.TypeDispatchEscalated); n != 1 {
		t.Fatalf("outbox %v: want exactly one escalation after 2 rounds", types)
	}
	if n, _ := f.app.DispatchRound(ctx, 10); n != 0 {
		t.Fatalf("an escalated delivery was claimed again")
	}
}

func TestDispatch_aCancelledOrderFreesItsDriver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	_, _ = f.app.GoOnline(ctx, "drv-1", domain.VehicleScooter, near(300))
	f.acceptedOrder(t, ctx, "ord-1")
	if err := f.live.Reserve(ctx, "ord-1", "drv-1", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.AcceptOffer(ctx, "drv-1", "ord-1"); err != nil {
		t.Fatal(err)
	}
	f.deliver(t, ctx, event(t, "ord-1", contracts.OrderStatusChangedV1{OrderID: "ord-1", From: contracts.OrderAccepted, To: contracts.OrderCancelled}))
	d, _ := f.store.DeliveryByOrder(ctx, "ord-1")
	if d.Status != domain.DeliveryCancelled {
		t.Fatalf("delivery %s", d.Status)
	}
	if st, _ := f.live.Driver(ctx, "drv-1"); st.Status != domain.DriverAvailable {
		t.Fatalf("driver %s after cancellation", st.Status)
	}
}

// acceptedOrderV2 replays orders' v2 events (customer and restaurant on the status change).
func (f fixture) acceptedOrderV2(t *testing.T, ctx context.Context, orderID string) {
	f.deliver(t, ctx, event(t, "r1", contracts.RestaurantUpdatedV1{RestaurantID: "r1", Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}))
	f.deliver(t, ctx, event(t, orderID, contracts.OrderCreatedV2{OrderID: orderID, CustomerID: "c2", RestaurantID: "r1", PointsRedeemed: 5,
		DeliveryAddress: contracts.Address{Lat: restaurant.Lat + 0.01, Lng: restaurant.Lng}}))
	f.deliver(t, ctx, event(t, orderID, contracts.OrderStatusChangedV2{OrderID: orderID, CustomerID: "c2", RestaurantID: "r1",
		From: contracts.OrderPaid, To: contracts.OrderAccepted, Actor: "restaurant:r1"}))
}

func TestDispatch_ordersV2EventsCreateTheDeliveryAndPublishItsCreatedStatus(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	f.acceptedOrderV2(t, ctx, "ord-2")
	d, err := f.store.DeliveryByOrder(ctx, "ord-2")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != domain.DeliveryCreated || d.CustomerID != "c2" {
		t.Fatalf("delivery %+v", d)
	}
	rows, err := f.pool.Query(ctx, `SELECT value FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var payloads []contracts.DeliveryStatusChangedV1
	for rows.Next() {
		var value []byte
		var e events.Envelope
		if err := rows.Scan(&value); err != nil || json.Unmarshal(value, &e) != nil {
			t.Fatal(err)
		}
		var p contracts.DeliveryStatusChangedV1
		if err := e.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(e.Data), `"from"`) {
			t.Fatalf("the first status carries a from: %s", e.Data)
		}
		payloads = append(payloads, p)
	}
	if len(payloads) != 1 || payloads[0].To != contracts.DeliveryCreated || payloads[0].DeliveryID != d.ID {
		t.Fatalf("published %+v, want one created", payloads)
	}
	outboxTypes(t, f.pool) // and it satisfies the contract's schema
}

func TestDispatch_aRejectedOrPaymentFailedOrDeliveryFailedOrderCancelsItsDelivery(t *testing.T) {
	for _, status := range []string{contracts.OrderRejected, contracts.OrderPaymentFailed, contracts.OrderDeliveryFailed} {
		t.Run(status, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			f := newFixture(t, testConfig())
			f.acceptedOrderV2(t, ctx, "ord-3")
			f.deliver(t, ctx, event(t, "ord-3", contracts.OrderStatusChangedV2{OrderID: "ord-3", From: contracts.OrderAccepted, To: status}))
			if d, _ := f.store.DeliveryByOrder(ctx, "ord-3"); d.Status != domain.DeliveryCancelled || d.Timeline[len(d.Timeline)-1].Actor != "order:ord-3" {
				t.Fatalf("delivery %s after %s", d.Status, status)
			}
		})
	}
}

// assigned matches ord-1 to drv-1 by hand: reserve, accept.
func (f fixture) assigned(t *testing.T, ctx context.Context) *domain.Delivery {
	t.Helper()
	if _, err := f.app.GoOnline(ctx, "drv-1", domain.VehicleScooter, near(300)); err != nil {
		t.Fatal(err)
	}
	f.acceptedOrder(t, ctx, "ord-1")
	if err := f.live.Reserve(ctx, "ord-1", "drv-1", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	d, err := f.app.AcceptOffer(ctx, "drv-1", "ord-1")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDispatch_anUnassignedDeliveryGoesBackToCreatedAndIsMatchedAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	d := f.assigned(t, ctx)
	if _, err := f.app.Advance(ctx, "drv-1", d.ID, domain.DeliveryArrivedAtPickup); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Unassign(ctx, "drv-2", d.ID); !errors.Is(err, domain.ErrNotYourDelivery) {
		t.Fatalf("another courier unassigning = %v, want ErrNotYourDelivery", err)
	}
	d, err := f.app.Unassign(ctx, "drv-1", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != domain.DeliveryCreated || d.DriverID != "" {
		t.Fatalf("after unassign: %+v", d)
	}
	if st, _ := f.live.Driver(ctx, "drv-1"); st.Status != domain.DriverAvailable || st.OrderID != "" {
		t.Fatalf("courier after unassign: %+v", st)
	}
	// The delivery is due for matching again (the first round's lease is gone) and a
	// second courier takes it.
	if _, err := f.app.GoOffline(ctx, "drv-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.GoOnline(ctx, "drv-2", domain.VehicleCar, near(500)); err != nil {
		t.Fatal(err)
	}
	sub := f.live.Subscribe(ctx, f.live.OffersChannel("drv-2"))
	defer sub.Close()
	go func() {
		if msg, err := sub.ReceiveMessage(ctx); err == nil {
			order, _, _ := strings.Cut(msg.Payload, "|")
			_, _ = f.app.AcceptOffer(ctx, "drv-2", order)
		}
	}()
	if n, err := f.app.DispatchRound(ctx, 10); err != nil || n != 1 {
		t.Fatalf("dispatch round after unassign claimed %d: %v", n, err)
	}
	d, _ = f.store.Delivery(ctx, d.ID)
	if d.Status != domain.DeliveryConfirmed || d.DriverID != "drv-2" {
		t.Fatalf("rematched delivery %+v", d)
	}
	outboxTypes(t, f.pool)
}

func TestDispatch_anAdminCancelsADeliveryAndFreesItsCourierButNotAfterPickup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	d := f.assigned(t, ctx)
	d, err := f.app.CancelDelivery(ctx, "ops-1", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != domain.DeliveryCancelled || d.Timeline[len(d.Timeline)-1].Actor != "admin:ops-1" {
		t.Fatalf("after admin cancel: %+v", d)
	}
	if st, _ := f.live.Driver(ctx, "drv-1"); st.Status != domain.DriverAvailable {
		t.Fatalf("courier after cancel: %s", st.Status)
	}

	f2 := newFixture(t, testConfig())
	d = f2.assigned(t, ctx)
	if _, err := f2.app.Advance(ctx, "drv-1", d.ID, domain.DeliveryPickedUp); err != nil {
		t.Fatal(err)
	}
	if _, err := f2.app.CancelDelivery(ctx, "ops-1", d.ID); !errors.Is(err, domain.ErrIllegalTransition) {
		t.Fatalf("cancel after pickup = %v, want ErrIllegalTransition", err)
	}
}
