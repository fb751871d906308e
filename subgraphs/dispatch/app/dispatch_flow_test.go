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
	"github.com/prometheus/client_golang/prometheus"
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

func newFixture(t *testing.T, cfg app.Config, opts ...app.Option) fixture {
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
	a, err := app.New(store, live, cfg, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{pool, store, live, a}
}

func testConfig() app.Config {
	cfg := app.DefaultConfig()
	cfg.Match = app.MatchConfig{Want: 3, OfferTimeout: 300 * time.Millisecond, Attempts: 1, PollInterval: 10 * time.Millisecond}
	cfg.RoundBackoff, cfg.MaxRoundBackoff, cfg.MatchPatience = 0, 0, time.Hour
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
	// created (no "from"), then confirmed with the assignment, picked_up, delivered; and
	// the one offer (which the phone may accept before or after it reaches the outbox).
	want := []string{contracts.TypeDeliveryStatusChanged, contracts.TypeDispatchAssigned, contracts.TypeDeliveryStatusChanged,
		contracts.TypeDeliveryStatusChanged, contracts.TypeDeliveryStatusChanged}
	got, offers := withoutOffers(outboxTypes(t, f.pool))
	if strings.Join(got, ",") != strings.Join(want, ",") || offers != 1 {
		t.Fatalf("outbox %v and %d offers, want %v and 1 offer", got, offers, want)
	}
	offered := outboxPayloads[contracts.DispatchOfferedV1](t, f.pool, contracts.TypeDispatchOffered)
	if o := offered[0]; o.DriverID != "drv-1" || o.OrderID != "ord-1" || o.DeliveryID != d.ID || o.RestaurantID != "r1" ||
		!o.ExpiresAt.After(o.OfferedAt) || o.PickupETA.Before(o.OfferedAt) {
		t.Errorf("dispatch.offered = %+v", o)
	}
}

// withoutOffers drops dispatch.offered from types and counts them.
func withoutOffers(types []string) ([]string, int) {
	var out []string
	n := 0
	for _, typ := range types {
		if typ == contracts.TypeDispatchOffered {
			n++
			continue
		}
		out = append(out, typ)
	}
	return out, n
}

// outboxPayloads decodes the outbox's events of one type, in commit order.
func outboxPayloads[P events.Payload](t *testing.T, pool *pgxpool.Pool, eventType string) []P {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT value FROM outbox WHERE topic = $1 ORDER BY seq`, eventType)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []P
	for rows.Next() {
		var value []byte
		var e events.Envelope
		var p P
		if err := rows.Scan(&value); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(value, &e); err != nil {
			t.Fatal(err)
		}
		if e.Type != p.EventType() {
			t.Fatalf("outbox topic %s holds a %s event", eventType, e.Type)
		}
		if err := json.Unmarshal(e.Data, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDispatch_escalatesOnlyOnceAnOrderHasWaitedItsPatienceForADriver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := testConfig()
	cfg.MatchPatience = 700 * time.Millisecond
	f := newFixture(t, cfg)
	f.acceptedOrder(t, ctx, "ord-1")
	// Many fruitless rounds inside the patience escalate nothing.
	for round := 1; round <= 5; round++ {
		if n, err := f.app.DispatchRound(ctx, 10); err != nil || n != 1 {
			t.Fatalf("round %d claimed %d: %v", round, n, err)
		}
	}
	if types := strings.Join(outboxTypes(t, f.pool), ","); strings.Contains(types, contracts.TypeDispatchEscalated) {
		t.Fatalf("escalated within its patience: %s", types)
	}
	time.Sleep(cfg.MatchPatience)
	for round := 1; round <= 2; round++ {
		if _, err := f.app.DispatchRound(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	types := outboxTypes(t, f.pool)
	if n := strings.Count(strings.Join(types, ","), contracts.TypeDispatchEscalated); n != 1 {
		t.Fatalf("outbox %v: want exactly one escalation once the patience ran out", types)
	}
	if n, _ := f.app.DispatchRound(ctx, 10); n != 0 {
		t.Fatalf("an escalated delivery was claimed again")
	}
}

func TestConfig_retryBackoffDoublesFromRoundBackoffAndStopsAtItsBound(t *testing.T) {
	cfg := app.Config{RoundBackoff: 5 * time.Second, MaxRoundBackoff: 30 * time.Second}
	for rounds, want := range map[int]time.Duration{
		1: 5 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second, 4: 30 * time.Second, 5: 30 * time.Second, 1000: 30 * time.Second,
	} {
		if got := cfg.RetryAfter(rounds); got != want {
			t.Errorf("after %d rounds: %s, want %s", rounds, got, want)
		}
	}
	if got := app.DefaultConfig().RetryAfter(1 << 20); got > app.DefaultConfig().MaxRoundBackoff || got <= 0 {
		t.Errorf("default backoff after many rounds: %s", got)
	}
}

// acceptOffersOf accepts every offer drvID hears, and reports the orders it accepted.
func (f fixture) acceptOffersOf(t *testing.T, ctx context.Context, drvID string) <-chan string {
	sub := f.live.Subscribe(ctx, f.live.OffersChannel(drvID))
	if _, err := sub.Receive(ctx); err != nil { // the subscription confirmation
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	accepted := make(chan string, 8)
	go func() {
		for {
			msg, err := sub.ReceiveMessage(ctx)
			if err != nil {
				return
			}
			order, _, _ := strings.Cut(msg.Payload, "|")
			if _, err := f.app.AcceptOffer(ctx, drvID, order); err == nil {
				accepted <- order
			}
		}
	}()
	return accepted
}

// The city simulator's starvation: an order that found no driver went on a growing
// backoff, orders placed after it matched first, and it failed while couriers were free.
func TestDispatch_theOrderWaitingLongestGetsTheFreeDriverBeforeYoungerOnes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := testConfig()
	cfg.RoundBackoff, cfg.MaxRoundBackoff = time.Hour, time.Hour // the old order is far from due
	f := newFixture(t, cfg)
	f.acceptedOrder(t, ctx, "ord-old")
	for round := 1; round <= 3; round++ { // no courier anywhere: fruitless rounds
		if _, err := f.app.DispatchRound(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := f.app.DispatchRound(ctx, 10); n != 0 {
		t.Fatalf("the old order should be waiting out its backoff, claimed %d", n)
	}
	// Younger orders arrive, then one courier comes online next to the restaurant.
	f.acceptedOrder(t, ctx, "ord-new-1")
	f.acceptedOrder(t, ctx, "ord-new-2")
	accepted := f.acceptOffersOf(t, ctx, "drv-1")
	if _, err := f.app.GoOnline(ctx, "drv-1", domain.VehicleScooter, near(300)); err != nil {
		t.Fatal(err)
	}
	if n, err := f.app.DispatchRound(ctx, 10); err != nil || n != 3 {
		t.Fatalf("the round claimed %d (want the old order pulled in with the two new): %v", n, err)
	}
	select {
	case got := <-accepted:
		if got != "ord-old" {
			t.Fatalf("the courier was given %s before the order waiting longest", got)
		}
	case <-ctx.Done():
		t.Fatal("no offer was accepted")
	}
	if d, _ := f.store.DeliveryByOrder(ctx, "ord-old"); d.Status != domain.DeliveryConfirmed || d.DriverID != "drv-1" {
		t.Fatalf("old order's delivery %+v", d)
	}
	for _, o := range []string{"ord-new-1", "ord-new-2"} {
		if d, _ := f.store.DeliveryByOrder(ctx, o); d.Status != domain.DeliveryCreated {
			t.Fatalf("%s took the only courier: %+v", o, d)
		}
	}
	// When the courier delivers, the next oldest goes next, not the newest.
	d, _ := f.store.DeliveryByOrder(ctx, "ord-old")
	for _, s := range []domain.DeliveryStatus{domain.DeliveryPickedUp, domain.DeliveryDelivered} {
		if _, err := f.app.Advance(ctx, "drv-1", d.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	// Only the newest is made due; the older one comes along with it.
	if _, err := f.pool.Exec(ctx, `UPDATE deliveries SET next_match_at = now() WHERE order_id = 'ord-new-2'`); err != nil {
		t.Fatal(err)
	}
	if n, err := f.app.DispatchRound(ctx, 10); err != nil || n != 2 {
		t.Fatalf("second round claimed %d: %v", n, err)
	}
	if got := <-accepted; got != "ord-new-1" {
		t.Fatalf("the freed courier was given %s before the older ord-new-1", got)
	}
}

func TestDispatch_olderOrdersPulledAheadGetOneRoundEach_thenTheYoungerOneIsTried(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := testConfig()
	cfg.RoundBackoff, cfg.MaxRoundBackoff = time.Hour, time.Hour
	f := newFixture(t, cfg)
	f.acceptedOrder(t, ctx, "ord-1")
	f.acceptedOrder(t, ctx, "ord-2")
	if n, _ := f.app.DispatchRound(ctx, 10); n != 2 { // both fruitless, both backing off
		t.Fatalf("first round claimed %d", n)
	}
	f.acceptedOrder(t, ctx, "ord-3")
	// One delivery per round: the two older ones go first, once each, then the younger
	// one that pulled them forward; nobody is claimed twice for the same chance.
	var got []string
	for range 4 {
		claims, err := f.store.ClaimForMatching(ctx, time.Now(), time.Minute, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range claims {
			got = append(got, c.Delivery.OrderID)
			if err := f.store.RescheduleMatching(ctx, c.Delivery.ID, c.Rounds+1, time.Now().Add(time.Hour), false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if strings.Join(got, ",") != "ord-1,ord-2,ord-3" {
		t.Fatalf("claimed %v, want ord-1, ord-2, ord-3 once each", got)
	}
}

func TestDispatch_aWaitingOrderIsRetriedWithinTheBackoffBoundEvenAfterManyRounds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := testConfig()
	cfg.RoundBackoff, cfg.MaxRoundBackoff = 100*time.Millisecond, 300*time.Millisecond
	f := newFixture(t, cfg)
	f.acceptedOrder(t, ctx, "ord-1")
	for round := 1; round <= 12; round++ {
		if _, err := f.pool.Exec(ctx, `UPDATE deliveries SET next_match_at = now()`); err != nil {
			t.Fatal(err)
		}
		if n, err := f.app.DispatchRound(ctx, 10); err != nil || n != 1 {
			t.Fatalf("round %d claimed %d: %v", round, n, err)
		}
	}
	var rounds int
	var wait time.Duration
	if err := f.pool.QueryRow(ctx, `SELECT match_rounds, next_match_at - now() FROM deliveries WHERE order_id = 'ord-1'`).Scan(&rounds, &wait); err != nil {
		t.Fatal(err)
	}
	if rounds != 12 || wait > cfg.MaxRoundBackoff {
		t.Fatalf("after %d rounds the next is %s away, want at most %s", rounds, wait, cfg.MaxRoundBackoff)
	}
	// And a courier who comes online then is offered it within that bound.
	accepted := f.acceptOffersOf(t, ctx, "drv-1")
	if _, err := f.app.GoOnline(ctx, "drv-1", domain.VehicleScooter, near(300)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(cfg.MaxRoundBackoff + time.Second)
	for time.Now().Before(deadline) {
		if _, err := f.app.DispatchRound(ctx, 10); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-accepted:
			if got != "ord-1" {
				t.Fatalf("accepted %s", got)
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("the waiting order was not offered to the free courier within %s", cfg.MaxRoundBackoff)
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

// Found by the saga simulation (orders/sagasim, seed 60 with -no-dlq-replay): an
// acceptance that overtook its order.created was retried until dead-lettered, and the
// order then waited for an operator.
func TestDispatch_anOrderAcceptedBeforeDispatchSawItsOrderCreatedGetsItsDeliveryWhenItArrives(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	f.deliver(t, ctx, event(t, "r1", contracts.RestaurantUpdatedV1{RestaurantID: "r1", Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}))
	f.deliver(t, ctx, event(t, "ord-5", contracts.OrderStatusChangedV2{OrderID: "ord-5", CustomerID: "c2", RestaurantID: "r1",
		From: contracts.OrderPaid, To: contracts.OrderAccepted}))
	if _, err := f.store.DeliveryByOrder(ctx, "ord-5"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("a delivery without its drop-off: %v", err)
	}
	created := event(t, "ord-5", contracts.OrderCreatedV2{OrderID: "ord-5", CustomerID: "c2", RestaurantID: "r1",
		DeliveryAddress: contracts.Address{Lat: restaurant.Lat + 0.01, Lng: restaurant.Lng}})
	f.deliver(t, ctx, created)
	d, err := f.store.DeliveryByOrder(ctx, "ord-5")
	if err != nil || d.Status != domain.DeliveryCreated {
		t.Fatalf("delivery after the late order.created: %+v, %v", d, err)
	}
	f.deliver(t, ctx, created) // a redelivery creates nothing more
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE order_id = 'ord-5'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d deliveries (%v)", n, err)
	}
}

// Seen under load (trackload, a restaurant created seconds before its first orders): an
// order accepted before restaurant.updated reached dispatch was retried five times in a
// second and dead-lettered, and the order was never offered to a courier.
func TestDispatch_anOrderAcceptedBeforeDispatchKnewItsRestaurantGetsItsDeliveryWhenTheLocationArrives(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	for _, id := range []string{"ord-7", "ord-8"} {
		f.deliver(t, ctx, event(t, id, contracts.OrderCreatedV2{OrderID: id, CustomerID: "c2", RestaurantID: "r-new",
			DeliveryAddress: contracts.Address{Lat: restaurant.Lat + 0.01, Lng: restaurant.Lng}}))
		f.deliver(t, ctx, event(t, id, contracts.OrderStatusChangedV2{OrderID: id, CustomerID: "c2", RestaurantID: "r-new",
			From: contracts.OrderPaid, To: contracts.OrderAccepted}))
		if _, err := f.store.DeliveryByOrder(ctx, id); !errors.Is(err, app.ErrNotFound) {
			t.Fatalf("%s: a delivery without its pickup: %v", id, err)
		}
	}
	// Another restaurant's location frees nothing.
	f.deliver(t, ctx, event(t, "r1", contracts.RestaurantUpdatedV1{RestaurantID: "r1", Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}))
	if _, err := f.store.DeliveryByOrder(ctx, "ord-7"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("ord-7 got a delivery from another restaurant's location: %v", err)
	}
	located := event(t, "r-new", contracts.RestaurantUpdatedV1{RestaurantID: "r-new", Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()})
	f.deliver(t, ctx, located)
	for _, id := range []string{"ord-7", "ord-8"} {
		d, err := f.store.DeliveryByOrder(ctx, id)
		if err != nil || d.Status != domain.DeliveryCreated || d.Pickup.Lat != restaurant.Lat {
			t.Fatalf("%s after its restaurant's location: %+v, %v", id, d, err)
		}
	}
	f.deliver(t, ctx, located) // a redelivery creates nothing more
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE order_id IN ('ord-7', 'ord-8')`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d deliveries (%v)", n, err)
	}
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM delivery_requests`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d requests still waiting (%v)", n, err)
	}
}

func TestDispatch_anOrderThatEndedBeforeItsOrderCreatedArrivedGetsNoDelivery(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := newFixture(t, testConfig())
	f.deliver(t, ctx, event(t, "ord-6", contracts.OrderStatusChangedV2{OrderID: "ord-6", From: contracts.OrderPaid, To: contracts.OrderAccepted}))
	f.deliver(t, ctx, event(t, "ord-6", contracts.OrderStatusChangedV2{OrderID: "ord-6", From: contracts.OrderAccepted, To: contracts.OrderDeliveryFailed}))
	f.deliver(t, ctx, event(t, "ord-6", contracts.OrderCreatedV2{OrderID: "ord-6", CustomerID: "c2", RestaurantID: "r1",
		DeliveryAddress: contracts.Address{Lat: restaurant.Lat + 0.01, Lng: restaurant.Lng}}))
	if d, err := f.store.DeliveryByOrder(ctx, "ord-6"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("an ended order got a delivery: %+v", d)
	}
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
	unassigned := outboxPayloads[contracts.DispatchUnassignedV1](t, f.pool, contracts.TypeDispatchUnassigned)
	if len(unassigned) != 1 || unassigned[0].DriverID != "drv-1" || unassigned[0].DeliveryID != d.ID || unassigned[0].Actor != "driver:drv-1" {
		t.Errorf("dispatch.unassigned = %+v, want one naming drv-1", unassigned)
	}
	var offeredTo []string
	for _, o := range outboxPayloads[contracts.DispatchOfferedV1](t, f.pool, contracts.TypeDispatchOffered) {
		offeredTo = append(offeredTo, o.DriverID)
	}
	if strings.Join(offeredTo, ",") != "drv-2" {
		t.Errorf("offers went to %v, want one to drv-2 (drv-1 was reserved directly)", offeredTo)
	}
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

// Couriers coming online or finishing a delivery used to wait for the next order's
// retry backoff (up to MaxRoundBackoff) before being offered the orders already waiting.
func TestDispatch_aCourierWhoFreesUpIsOfferedTheOldestWaitingOrderAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := testConfig()
	cfg.RoundBackoff, cfg.MaxRoundBackoff = time.Hour, time.Hour // no retry falls due during the test
	f := newFixture(t, cfg)
	f.acceptedOrder(t, ctx, "ord-1")
	f.acceptedOrder(t, ctx, "ord-2")
	if n, err := f.app.DispatchRound(ctx, 10); err != nil || n != 2 { // no courier anywhere
		t.Fatalf("first round claimed %d: %v", n, err)
	}
	// A waiting order with its pickup ~110 km away, beyond any courier's reach, is not
	// woken (and, younger, not pulled forward by the others).
	f.acceptedOrder(t, ctx, "ord-far")
	if _, err := f.pool.Exec(ctx, `UPDATE deliveries SET pickup_lat = pickup_lat + 1, next_match_at = now() + interval '1 hour'
		WHERE order_id = 'ord-far'`); err != nil {
		t.Fatal(err)
	}
	// The dispatcher's tick is an hour away too: only a wake can start a round now.
	dctx, stop := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = f.app.RunDispatcher(dctx, time.Hour, 10) }()
	defer func() { stop(); <-stopped }()
	time.Sleep(100 * time.Millisecond) // let its first (empty) round pass
	accepted := f.acceptOffersOf(t, ctx, "drv-1")
	start := time.Now()
	if _, err := f.app.GoOnline(ctx, "drv-1", domain.VehicleScooter, near(300)); err != nil {
		t.Fatal(err)
	}
	wait := func(want string) {
		t.Helper()
		select {
		case got := <-accepted:
			if got != want {
				t.Fatalf("the courier was given %s, want %s (the oldest waiting near)", got, want)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("%s was not offered to the free courier within 3s", want)
		}
	}
	wait("ord-1")
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("offered after %s", took)
	}
	if d, _ := f.store.DeliveryByOrder(ctx, "ord-2"); d.Status != domain.DeliveryCreated {
		t.Fatalf("ord-2 took the busy courier: %+v", d)
	}
	// Delivering frees the courier, and the next waiting order is offered at once.
	d, _ := f.store.DeliveryByOrder(ctx, "ord-1")
	for _, s := range []domain.DeliveryStatus{domain.DeliveryPickedUp, domain.DeliveryDelivered} {
		if _, err := f.app.Advance(ctx, "drv-1", d.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	wait("ord-2")
	var rounds int
	if err := f.pool.QueryRow(ctx, `SELECT match_rounds FROM deliveries WHERE order_id = 'ord-far'`).Scan(&rounds); err != nil {
		t.Fatal(err)
	}
	if rounds != 0 {
		t.Fatalf("the far order was woken too (%d rounds)", rounds)
	}
}

func TestDispatch_anOrderWokenWhileItsRoundRunsStaysDueWhenTheRoundEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := testConfig()
	cfg.RoundBackoff, cfg.MaxRoundBackoff = time.Hour, time.Hour
	f := newFixture(t, cfg)
	f.acceptedOrder(t, ctx, "ord-1")
	world := domain.BBox{MinLat: -90, MinLng: -180, MaxLat: 90, MaxLng: 180}
	round := func() []app.MatchClaim {
		t.Helper()
		claims, err := f.store.ClaimForMatching(ctx, time.Now(), time.Minute, 1)
		if err != nil {
			t.Fatal(err)
		}
		return claims
	}
	fruitless := func(c app.MatchClaim) {
		t.Helper()
		if err := f.store.RescheduleMatching(ctx, c.Delivery.ID, c.Rounds+1, time.Now().Add(time.Hour), false); err != nil {
			t.Fatal(err)
		}
	}
	claims := round() // the round begins...
	if len(claims) != 1 {
		t.Fatalf("claimed %d", len(claims))
	}
	if _, err := f.store.WakeWaiting(ctx, world, time.Now()); err != nil { // ...a courier frees up...
		t.Fatal(err)
	}
	fruitless(claims[0]) // ...and the round, which did not see them, finds nobody
	again := round()
	if len(again) != 1 {
		t.Fatal("the order woken during its round was backed off for an hour")
	}
	fruitless(again[0]) // a round that began after the wake backs off as usual
	if late := round(); len(late) != 0 {
		t.Fatalf("claimed %d after a fruitless round with no wake", len(late))
	}
}

// Matching latency is the time to a round's FIRST offer: the nearest courier declines,
// the next accepts, and the histogram holds one observation, not two.
func TestDispatch_matchingLatencyIsRecordedOncePerRoundAtItsFirstOffer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	reg := prometheus.NewRegistry()
	metrics, err := adapters.NewMetrics(reg, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, testConfig(), app.WithMetrics(metrics))
	for drv, meters := range map[string]float64{"drv-near": 300, "drv-far": 900} {
		if _, err := f.app.GoOnline(ctx, drv, domain.VehicleScooter, near(meters)); err != nil {
			t.Fatal(err)
		}
	}
	f.acceptedOrder(t, ctx, "ord-1")
	declines := f.live.Subscribe(ctx, f.live.OffersChannel("drv-near"))
	defer declines.Close()
	go func() {
		if msg, err := declines.ReceiveMessage(ctx); err == nil {
			order, _, _ := strings.Cut(msg.Payload, "|")
			_ = f.app.DeclineOffer(ctx, "drv-near", order)
		}
	}()
	accepted := f.acceptOffersOf(t, ctx, "drv-far")
	if n, err := f.app.DispatchRound(ctx, 10); err != nil || n != 1 {
		t.Fatalf("dispatch round claimed %d: %v", n, err)
	}
	select {
	case got := <-accepted:
		if got != "ord-1" {
			t.Fatalf("drv-far accepted %s", got)
		}
	case <-ctx.Done():
		t.Fatal("the far courier was never offered the order after the near one declined")
	}
	if _, offers := withoutOffers(outboxTypes(t, f.pool)); offers != 2 {
		t.Fatalf("%d offers, want 2 (declined, then accepted)", offers)
	}
	families, err := reg.Gather()
	if err != nil || len(families) != 1 || families[0].GetName() != "dizhtime_dispatch_matching_duration_seconds" {
		t.Fatalf("gathered %v (%v)", families, err)
	}
	h := families[0].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 1 || h.GetSampleSum() <= 0 {
		t.Fatalf("matching histogram: count %d sum %g; want one positive observation", h.GetSampleCount(), h.GetSampleSum())
	}
}
