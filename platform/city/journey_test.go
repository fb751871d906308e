package city

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

const password = "journey-pass-1234"

// TestJourney_anOrderGoesFromSearchToSettlementThroughTheRouterAndTheLedgerBalances plays
// one whole order through the router against the real services: register, top up, search
// "piza" near a point, order, pay, accept, match, track live, deliver, settle; then checks
// the customer's wallet, the ledger split, the order timeline and what the subscriptions saw.
func TestJourney_anOrderGoesFromSearchToSettlementThroughTheRouterAndTheLedgerBalances(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	city := startRealCity(t, ctx)
	c := city.client
	step := func(format string, args ...any) {
		t.Logf("%s  "+format, append([]any{time.Now().Format("15:04:05.000")}, args...)...)
	}

	// The admin: the first one comes from identity's operator command.
	admin := must(c.Register(ctx, city.run+"-admin@dizhtime.test", password, "Admin"))(t, "register admin")
	if err := GrantAdminWith(city.Stack)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	admin = must(c.Login(ctx, admin.Email, password))(t, "admin signs in again")
	if !slices.Contains(admin.Roles, "ADMIN") {
		t.Fatalf("admin roles = %v after bootstrap", admin.Roles)
	}

	// A pizzeria and its owner, somewhere of this run's own: Kafka's topics are shared with
	// every other test and run, and search would otherwise also find their restaurants (which
	// this run's restaurants service, with its fresh database, does not know).
	centre := Offset(Point{Lat: -40 + 80*rand.Float64(), Lng: -150 + 300*rand.Float64()}, 0, 0)
	owner := must(c.Register(ctx, city.run+"-owner@dizhtime.test", password, "Owner"))(t, "register owner")
	if err := admin.AssignRole(ctx, owner.UserID, "RESTAURANT_OWNER"); err != nil {
		t.Fatal(err)
	}
	owner = must(c.Login(ctx, owner.Email, password))(t, "owner signs in again")
	pizzeriaAt := Offset(centre, 600, 400)
	restaurantID := must(owner.CreateRestaurant(ctx, NewRestaurant{
		Name: "Pizzeria " + city.run, Cuisines: []string{"pizza", "italian"}, At: pizzeriaAt,
		Dishes: []NewDish{{Name: "Pizza Margherita", PriceMinor: 65_000}, {Name: "Pizza Pepperoni", PriceMinor: 78_000}},
	}))(t, "create the pizzeria")
	step("restaurant %s created", restaurantID)

	// A courier waiting nearby, listening for offers.
	driver := must(c.Register(ctx, city.run+"-driver@dizhtime.test", password, "Driver"))(t, "register driver")
	if err := admin.AssignRole(ctx, driver.UserID, "DRIVER"); err != nil {
		t.Fatal(err)
	}
	driver = must(c.Login(ctx, driver.Email, password))(t, "driver signs in again")
	driverAt := Offset(pizzeriaAt, -700, 300)
	if err := driver.GoOnline(ctx, driverAt); err != nil {
		t.Fatal(err)
	}
	offers := must(driver.Subscribe(ctx, OffersSubscription, nil))(t, "subscribe to driverOffers")
	defer offers.Close()

	// The customer: register, top up, search, order.
	customer := must(c.Register(ctx, city.run+"-customer@dizhtime.test", password, "Customer"))(t, "register customer")
	const topUp = 1_000_000
	if status, err := customer.TopUp(ctx, Money{AmountMinor: topUp, Currency: "UZS"}, city.run+"-topup"); err != nil {
		t.Fatal(err)
	} else {
		step("topUp %s", status)
	}
	eventually(t, ctx, "the top-up is credited", 30*time.Second, func() (bool, error) {
		w, err := customer.Wallet(ctx)
		return w.Balances["UZS"] == topUp, err
	})

	var hit SearchHit
	eventually(t, ctx, `search "piza" near the customer finds the pizzeria`, 60*time.Second, func() (bool, error) {
		hits, err := customer.SearchRestaurants(ctx, "piza", centre, 20)
		for _, h := range hits {
			if h.RestaurantID == restaurantID {
				hit = h
				return true, nil
			}
		}
		return false, err
	})
	if hit.Name != "Pizzeria "+city.run || !hit.IsOpen || len(hit.Dishes) == 0 || hit.Distance <= 0 {
		t.Fatalf("search hit = %+v; want the pizzeria, open, with dishes and a distance", hit)
	}
	dish := hit.Dishes[0]
	subtotal, available, err := customer.Quote(ctx, restaurantID, dish.ID, 2)
	if err != nil || !available || subtotal.AmountMinor != 2*dish.Price.AmountMinor {
		t.Fatalf("quote = %+v available=%v err=%v; want 2 x %d", subtotal, available, err, dish.Price.AmountMinor)
	}
	dropoff := Offset(centre, -800, -600)
	order := must(customer.PlaceOrder(ctx, restaurantID, dish.ID, 2, dropoff, city.run+"-order"))(t, "placeOrder")
	step("order %s %s total %d", order.ID, order.Status, order.Total.AmountMinor)

	// The customer watches the order and, once a courier has it, the courier.
	updates := watch(t, ctx, customer, `subscription OrderUpdated($id: ID!) { orderUpdated(id: $id, since: 0) { transition { sequence from to actor } order { status } } }`,
		map[string]any{"id": order.ID}, func(r *routertest.Response) (string, error) {
			var d struct {
				OrderUpdated struct{ Transition Transition }
			}
			err := r.Decode(&d)
			return d.OrderUpdated.Transition.To, err
		})
	updates.waitFor(t, "PAID", 45*time.Second)
	step("PAID")

	// The restaurant accepts and cooks; dispatch matches from acceptance on.
	for _, m := range []string{"acceptOrder", "markPreparing"} {
		if _, err := owner.MoveOrder(ctx, m, order.ID); err != nil {
			t.Fatal(err)
		}
	}
	offer := waitOffer(t, ctx, offers, order.ID, 60*time.Second)
	step("offer %+v", offer)
	delivery := must(driver.AcceptOffer(ctx, order.ID))(t, "acceptOffer")
	tracking := watch(t, ctx, customer, `subscription Track($id: ID!) { deliveryTracking(orderId: $id) { driverId deliveryStatus etaSeconds location { lat lng } } }`,
		map[string]any{"id": order.ID}, func(r *routertest.Response) (string, error) {
			var d struct {
				DeliveryTracking struct{ DriverID string }
			}
			err := r.Decode(&d)
			return d.DeliveryTracking.DriverID, err
		})

	drive(t, ctx, driver, &driverAt, delivery.Pickup)
	if _, err := owner.MoveOrder(ctx, "markReady", order.ID); err != nil {
		t.Fatal(err)
	}
	updates.waitFor(t, "READY_FOR_PICKUP", 20*time.Second)
	if _, err := driver.MoveDelivery(ctx, "markPickedUp", delivery.ID); err != nil {
		t.Fatal(err)
	}
	updates.waitFor(t, "PICKED_UP", 30*time.Second)
	drive(t, ctx, driver, &driverAt, delivery.Dropoff)
	if _, err := driver.MoveDelivery(ctx, "markDelivered", delivery.ID); err != nil {
		t.Fatal(err)
	}
	updates.waitFor(t, "DELIVERED", 30*time.Second)
	tracking.waitFor(t, driver.UserID, 10*time.Second)
	step("DELIVERED; tracking saw %d updates", len(tracking.seen()))

	// Settled: the customer earns points on the order once the escrow is paid out.
	eventually(t, ctx, "the wallet settles the order (points earned)", 45*time.Second, func() (bool, error) {
		w, err := customer.Wallet(ctx)
		for _, tx := range w.Transactions {
			if tx.Kind == "POINTS_EARN" && tx.OrderID == order.ID {
				return true, nil
			}
		}
		return false, err
	})

	t.Run("the customer paid the order total from the top-up", func(t *testing.T) {
		w, err := customer.Wallet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := w.Balances["UZS"], int64(topUp)-order.Total.AmountMinor; got != want {
			t.Errorf("customer balance = %d, want %d (top-up %d - total %d)", got, want, topUp, order.Total.AmountMinor)
		}
	})
	t.Run("the ledger split the payment to restaurant, driver and platform and sums to zero", func(t *testing.T) {
		checkLedger(t, ctx, city.DatabaseURL("wallet"), order, restaurantID, driver.UserID)
	})
	t.Run("the order timeline has every step in order and the subscription saw each", func(t *testing.T) {
		o, err := customer.Order(ctx, order.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"PLACED", "PAID", "ACCEPTED", "PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED"}
		var got []string
		for i, tr := range o.Timeline {
			got = append(got, tr.To)
			if tr.Sequence != i+1 || tr.Actor == "" {
				t.Errorf("transition %d = %+v; want sequence %d and an actor", i, tr, i+1)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("timeline = %v, want %v", got, want)
		}
		if seen := updates.seen(); !slices.Equal(seen, want) {
			t.Errorf("orderUpdated delivered %v, want %v", seen, want)
		}
		if o.DriverID == nil || *o.DriverID != driver.UserID {
			t.Errorf("order driverId = %v, want %s", o.DriverID, driver.UserID)
		}
	})
}

// must returns a value, or fails the test naming what failed: must(f())(t, "what").
func must[T any](v T, err error) func(t *testing.T, what string) T {
	return func(t *testing.T, what string) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// eventually polls cond every 250 ms until it holds, failing after within.
func eventually(t *testing.T, ctx context.Context, what string, within time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(within)
	var lastErr error
	for {
		ok, err := cond()
		if ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%s: not within %s (last error: %v)", what, within, lastErr)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// stream collects one subscription's events, each reduced to a string.
type stream struct {
	mu     sync.Mutex
	values []string
	err    error
	notify chan struct{}
}

func watch(t *testing.T, ctx context.Context, s *Session, query string, vars map[string]any, key func(*routertest.Response) (string, error)) *stream {
	t.Helper()
	sub, err := s.Subscribe(ctx, query, vars)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	t.Cleanup(sub.Close)
	st := &stream{notify: make(chan struct{}, 1)}
	go func() {
		for {
			r, err := sub.Next(ctx)
			st.mu.Lock()
			if err == nil && len(r.Errors) > 0 {
				err = fmt.Errorf("subscription error: %v %v", r.Errors, r.Codes())
			}
			var v string
			if err == nil {
				v, err = key(r)
			}
			if err != nil {
				st.err = err
			} else {
				st.values = append(st.values, v)
			}
			st.mu.Unlock()
			select {
			case st.notify <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return st
}

func (s *stream) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.values)
}

func (s *stream) waitFor(t *testing.T, value string, within time.Duration) {
	t.Helper()
	timeout := time.After(within)
	for {
		s.mu.Lock()
		found, err := slices.Contains(s.values, value), s.err
		s.mu.Unlock()
		if found {
			return
		}
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("waiting for %s: %v (seen %v)", value, err, s.seen())
		}
		select {
		case <-s.notify:
		case <-timeout:
			t.Fatalf("no %s within %s (seen %v)", value, within, s.seen())
		}
	}
}

func waitOffer(t *testing.T, ctx context.Context, offers *routertest.Subscription, orderID string, within time.Duration) Offer {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		r, err := offers.Next(ctx)
		if err != nil {
			t.Fatalf("no offer of order %s within %s: %v", orderID, within, err)
		}
		if len(r.Errors) > 0 {
			t.Fatalf("driverOffers: %v %v", r.Errors, r.Codes())
		}
		var d struct{ DriverOffers Offer }
		if err := r.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if d.DriverOffers.OrderID == orderID {
			return d.DriverOffers
		}
	}
}

// drive moves the courier to dest in 250 m steps, reporting each position.
func drive(t *testing.T, ctx context.Context, driver *Session, at *Point, dest Point) {
	t.Helper()
	for arrived := false; !arrived; {
		*at, arrived = Toward(*at, dest, 250)
		if err := driver.UpdateLocation(ctx, *at); err != nil {
			t.Fatalf("updateLocation: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkLedger reads the wallet's ledger (the router shows a customer's wallet only, not the
// restaurant's, driver's or platform's accounts).
func checkLedger(t *testing.T, ctx context.Context, walletDB string, order Order, restaurantID, driverID string) {
	pool, err := postgres.Open(ctx, walletDB)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, `SELECT p.currency, sum(p.amount)::bigint FROM postings p JOIN transactions x ON x.id = p.tx_id
		WHERE x.order_id = $1 GROUP BY p.currency`, order.ID)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]int64{}
	for rows.Next() {
		var cur string
		var sum int64
		if err := rows.Scan(&cur, &sum); err != nil {
			t.Fatal(err)
		}
		sums[cur] = sum
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(sums) == 0 {
		t.Fatal("no postings for the order")
	}
	for cur, sum := range sums {
		if sum != 0 {
			t.Errorf("postings of the order in %s sum to %d, want 0", cur, sum)
		}
	}
	byKind := map[string]int64{}
	rows, err = pool.Query(ctx, `SELECT a.kind, a.owner, sum(p.amount)::bigint FROM postings p JOIN transactions x ON x.id = p.tx_id
		JOIN accounts a ON a.id = p.account_id WHERE x.order_id = $1 AND p.currency = 'UZS' GROUP BY a.kind, a.owner`, order.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind, owner string
		var sum int64
		if err := rows.Scan(&kind, &owner, &sum); err != nil {
			t.Fatal(err)
		}
		switch {
		case kind == "restaurant_payable" && owner != restaurantID, kind == "driver_earnings" && owner != driverID:
			t.Errorf("%s of %s got %d: the order's are %s / %s", kind, owner, sum, restaurantID, driverID)
		}
		byKind[kind] += sum
	}
	t.Logf("order %s money movements by account kind: %v", order.ID, byKind)
	if byKind["customer_wallet"] != -order.Total.AmountMinor {
		t.Errorf("customer wallet moved %d, want -%d", byKind["customer_wallet"], order.Total.AmountMinor)
	}
	if byKind["order_escrow"] != 0 {
		t.Errorf("escrow kept %d after settlement, want 0", byKind["order_escrow"])
	}
	for _, k := range []string{"restaurant_payable", "driver_earnings", "platform_fee"} {
		if byKind[k] <= 0 {
			t.Errorf("%s got %d, want a positive share", k, byKind[k])
		}
	}
	if split := byKind["restaurant_payable"] + byKind["driver_earnings"] + byKind["platform_fee"]; split != order.Total.AmountMinor {
		t.Errorf("restaurant + driver + platform = %d, want the order total %d", split, order.Total.AmountMinor)
	}
}
