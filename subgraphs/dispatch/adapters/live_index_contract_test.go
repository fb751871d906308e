package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// Every live-index test runs against the real Redis (DIZHTIME_REDIS_ADDR) and the
// embedded miniredis: one contract, two servers.
func TestLiveIndexContract_realRedis(t *testing.T) {
	c, err := redisdb.Connect(context.Background(), endpoints.Redis())
	if err != nil {
		t.Fatalf("real Redis not reachable (start it with `deploy/local/services.sh up redis`): %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	runLiveIndexContract(t, c)
}

func TestLiveIndexContract_embeddedMiniredis(t *testing.T) {
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
	runLiveIndexContract(t, c)
}

var (
	restaurant = domain.Point{Lat: 41.3111, Lng: 69.2797}
	now        = time.UnixMilli(1_800_000_000_000)
)

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

// newIndex is an index under a fresh prefix, deleted when the test ends.
func newIndex(t *testing.T, c *redis.Client) *adapters.LiveIndex {
	t.Helper()
	prefix := fmt.Sprintf("test:dispatch:%d:", rand.Int64())
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return adapters.NewLiveIndex(c, prefix)
}

// near is a point dNorth metres north of restaurant.
func near(dNorth float64) domain.Point {
	return domain.Point{Lat: restaurant.Lat + dNorth/111_195, Lng: restaurant.Lng}
}

func online(t *testing.T, x *adapters.LiveIndex, id string, p domain.Point) {
	t.Helper()
	if _, err := x.GoOnline(context.Background(), id, domain.VehicleScooter, p, now); err != nil {
		t.Fatal(err)
	}
}

func ids(cs []domain.Candidate) map[string]bool {
	m := map[string]bool{}
	for _, c := range cs {
		m[c.DriverID] = true
	}
	return m
}

func runLiveIndexContract(t *testing.T, c *redis.Client) {
	ctx := context.Background()

	t.Run("available drivers in the rings around the pickup are candidates, with positions", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "near", near(200))
		online(t, x, "mid", near(900))
		online(t, x, "far", near(20_000))
		cs, rings, err := x.Candidates(ctx, restaurant, 2)
		if err != nil {
			t.Fatal(err)
		}
		got := ids(cs)
		if !got["near"] || !got["mid"] || got["far"] || rings < 2 {
			t.Fatalf("candidates %v after %d rings, want near and mid only", cs, rings)
		}
		for _, cd := range cs {
			if cd.DriverID == "near" && domain.DistanceMeters(cd.At, near(200)) > 2 {
				t.Fatalf("near's position %v, want %v", cd.At, near(200))
			}
			if cd.Vehicle != domain.VehicleScooter {
				t.Fatalf("vehicle %q", cd.Vehicle)
			}
		}
	})

	t.Run("a driver who moves is found in the new cell only", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "d", near(20_000))
		if !x.Drivers.ApplyFix("d", near(100), now.Add(time.Second)) {
			t.Fatal("a newer fix was not applied")
		}
		if x.Drivers.ApplyFix("d", near(20_000), now.Add(time.Second/2)) {
			t.Fatal("an older fix (overtaken on another partition) was applied")
		}
		cs, _, _ := x.Candidates(ctx, restaurant, 1)
		if !ids(cs)["d"] {
			t.Fatalf("moved driver not found near the restaurant: %v", cs)
		}
		cs, _, _ = x.Candidates(ctx, near(20_000), 1)
		if ids(cs)["d"] {
			t.Fatalf("moved driver still found at the old place: %v", cs)
		}
	})

	t.Run("a fix of a driver who is not online makes no candidate", func(t *testing.T) {
		x := newIndex(t, c)
		x.Drivers.ApplyFix("ghost", restaurant, now)
		online(t, x, "gone", near(100))
		if err := x.GoOffline(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		x.Drivers.ApplyFix("gone", near(50), now.Add(time.Second))
		cs, _, _ := x.Candidates(ctx, restaurant, 1)
		if len(cs) != 0 {
			t.Fatalf("candidates %v", cs)
		}
		if st, _ := x.Driver(ctx, "gone"); st.Status != domain.DriverOffline {
			t.Fatalf("gone is %s", st.Status)
		}
	})

	t.Run("drivers without a ping for the stale window are dropped", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "silent", near(100))
		online(t, x, "chatty", near(150))
		x.Drivers.ApplyFix("chatty", near(150), now.Add(40*time.Second))
		stale, err := x.DropSilent(ctx, now.Add(15*time.Second), 100)
		if err != nil || stale != 1 {
			t.Fatalf("sweep dropped %d (%v), want 1", stale, err)
		}
		cs, _, _ := x.Candidates(ctx, restaurant, 1)
		if got := ids(cs); got["silent"] || !got["chatty"] {
			t.Fatalf("after sweep: %v", cs)
		}
		if st, _ := x.Driver(ctx, "silent"); st.Status != domain.DriverOffline {
			t.Fatalf("stale driver is %s, want OFFLINE", st.Status)
		}
	})

	t.Run("a reserved driver leaves the index and cannot go offline or take a second order", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "d", near(100))
		if err := x.Reserve(ctx, "o1", "d", now.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := x.Reserve(ctx, "o2", "d", now.Add(30*time.Second)); !errors.Is(err, domain.ErrDriverBusy) {
			t.Fatalf("second order = %v, want ErrDriverBusy", err)
		}
		if err := x.GoOffline(ctx, "d"); !errors.Is(err, domain.ErrIllegalTransition) {
			t.Fatalf("offline while offered = %v", err)
		}
		if cs, _, _ := x.Candidates(ctx, restaurant, 1); ids(cs)["d"] {
			t.Fatalf("offered driver still a candidate")
		}
	})

	t.Run("an order holds at most one offer", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "a", near(100))
		online(t, x, "b", near(200))
		if err := x.Reserve(ctx, "o1", "a", now.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := x.Reserve(ctx, "o1", "b", now.Add(30*time.Second)); !errors.Is(err, domain.ErrOrderHasOffer) {
			t.Fatalf("second driver for o1 = %v, want ErrOrderHasOffer", err)
		}
		if d, st, _ := x.OrderHolder(ctx, "o1"); d != "a" || st != "OFFERED" {
			t.Fatalf("holder %s %s", d, st)
		}
	})

	t.Run("a declined offer puts the driver back and frees the order", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "d", near(100))
		_ = x.Reserve(ctx, "o1", "d", now.Add(30*time.Second))
		if err := x.Release(ctx, "o1", "d"); err != nil {
			t.Fatal(err)
		}
		if cs, _, _ := x.Candidates(ctx, restaurant, 1); !ids(cs)["d"] {
			t.Fatalf("released driver is not a candidate again")
		}
		if err := x.Reserve(ctx, "o1", "d", now.Add(30*time.Second)); err != nil {
			t.Fatalf("order could not be offered again: %v", err)
		}
	})

	t.Run("an offer past its deadline cannot be accepted and the sweep releases it", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "d", near(100))
		_ = x.Reserve(ctx, "o1", "d", now.Add(10*time.Second))
		if err := x.Accept(ctx, "o1", "d", now.Add(11*time.Second)); !errors.Is(err, domain.ErrNoOffer) {
			t.Fatalf("late accept = %v, want ErrNoOffer", err)
		}
		expired, err := x.ExpireOffers(ctx, now.Add(11*time.Second), 100)
		if err != nil || expired != 1 {
			t.Fatalf("sweep expired %d (%v)", expired, err)
		}
		if st, _ := x.Driver(ctx, "d"); st.Status != domain.DriverAvailable {
			t.Fatalf("driver %s after expiry", st.Status)
		}
	})

	t.Run("an accepted order stays with its driver until delivered, then the driver is available", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "d", near(100))
		_ = x.Reserve(ctx, "o1", "d", now.Add(10*time.Second))
		if err := x.Accept(ctx, "o1", "d", now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := x.Accept(ctx, "o1", "other", now.Add(time.Second)); !errors.Is(err, domain.ErrNoOffer) {
			t.Fatalf("another driver accepting = %v", err)
		}
		if _, err := x.ExpireOffers(ctx, now.Add(time.Hour), 100); err != nil {
			t.Fatal(err)
		}
		if _, err := x.DropSilent(ctx, now.Add(time.Hour), 100); err != nil {
			t.Fatal(err)
		}
		if st, _ := x.Driver(ctx, "d"); st.Status != domain.DriverOnDelivery || st.OrderID != "o1" {
			t.Fatalf("after sweep: %+v", st)
		}
		if err := x.Finish(ctx, "o1", "other"); !errors.Is(err, domain.ErrNotYourDelivery) {
			t.Fatalf("another driver finishing = %v", err)
		}
		if err := x.Finish(ctx, "o1", "d"); err != nil {
			t.Fatal(err)
		}
		if d, _, _ := x.OrderHolder(ctx, "o1"); d != "" {
			t.Fatalf("order still held by %s", d)
		}
		if cs, _, _ := x.Candidates(ctx, restaurant, 1); !ids(cs)["d"] {
			t.Fatalf("driver not available after delivery")
		}
	})

	t.Run("another replica's index follows every state change, and a starting one loads the snapshot", func(t *testing.T) {
		x := newIndex(t, c)
		other := adapters.NewLiveIndex(c, x.Prefix())
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- other.RunStates(rctx, time.Hour) }()
		defer func() { cancel(); <-done }()
		waitFor(t, "the snapshot", other.StatesLoaded)
		online(t, x, "d", near(100))
		online(t, x, "e", near(300))
		waitFor(t, "d online on the other replica", func() bool {
			cs, _, _ := other.Candidates(ctx, restaurant, 2)
			return ids(cs)["d"] && ids(cs)["e"]
		})
		if err := x.Reserve(ctx, "o1", "d", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "d offered on the other replica", func() bool {
			live, ok := other.Known("d")
			return ok && live.Status == domain.DriverOffered && live.OrderID == "o1"
		})
		if cs, _, _ := other.Candidates(ctx, restaurant, 2); ids(cs)["d"] || !ids(cs)["e"] {
			t.Fatalf("the other replica's candidates %v, want e only", cs)
		}
		fresh := adapters.NewLiveIndex(c, x.Prefix())
		if _, err := fresh.LoadStates(ctx); err != nil {
			t.Fatal(err)
		}
		if live, ok := fresh.Known("d"); !ok || live.Status != domain.DriverOffered || live.OrderID != "o1" {
			t.Fatalf("a starting replica knows d as %+v (%v)", live, ok)
		}
		if cs, _, _ := fresh.Candidates(ctx, restaurant, 1); !ids(cs)["e"] || ids(cs)["d"] {
			t.Fatalf("a starting replica's candidates %v, want e (where it went online) only", cs)
		}
	})

	t.Run("a refused reservation brings this replica's index up to date with the driver", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "d", near(100))
		stale := adapters.NewLiveIndex(c, x.Prefix())
		if _, err := stale.LoadStates(ctx); err != nil {
			t.Fatal(err)
		}
		if err := x.Reserve(ctx, "o1", "d", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := stale.Reserve(ctx, "o2", "d", now.Add(time.Minute)); !errors.Is(err, domain.ErrDriverBusy) {
			t.Fatalf("reserving an offered driver = %v", err)
		}
		if live, _ := stale.Known("d"); live.Status != domain.DriverOffered {
			t.Fatalf("after the refusal the index says %s", live.Status)
		}
	})

	t.Run("two orders racing for one driver: exactly one wins", func(t *testing.T) {
		for round := range 20 {
			x := newIndex(t, c)
			online(t, x, "d", near(100))
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range 2 {
				wg.Go(func() { errs[i] = x.Reserve(ctx, fmt.Sprintf("o%d", i), "d", now.Add(time.Minute)) })
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, domain.ErrDriverBusy):
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d orders got the driver", round, won)
			}
		}
	})

	t.Run("many orders racing for few drivers: no driver with two orders, no order with two drivers", func(t *testing.T) {
		x := newIndex(t, c)
		const drivers, orders, matchersPerOrder = 8, 40, 2
		for i := range drivers {
			online(t, x, fmt.Sprintf("d%d", i), near(float64(100+i*50)))
		}
		type win struct{ order, driver string }
		var mu sync.Mutex
		var wins []win
		var wg sync.WaitGroup
		// Two matchers per order (two replicas handling a redelivered event) race too.
		for o := range orders * matchersPerOrder {
			wg.Go(func() {
				order := fmt.Sprintf("o%d", o%orders)
				r := rand.New(rand.NewPCG(uint64(o), 7))
				for _, d := range r.Perm(drivers) {
					err := x.Reserve(ctx, order, fmt.Sprintf("d%d", d), now.Add(time.Minute))
					if err == nil {
						mu.Lock()
						wins = append(wins, win{order, fmt.Sprintf("d%d", d)})
						mu.Unlock()
						return
					}
					if errors.Is(err, domain.ErrOrderHasOffer) {
						return
					}
					if !errors.Is(err, domain.ErrDriverBusy) {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		byDriver, byOrder := map[string]string{}, map[string]string{}
		for _, w := range wins {
			if prev, ok := byDriver[w.driver]; ok {
				t.Errorf("driver %s holds %s and %s", w.driver, prev, w.order)
			}
			if prev, ok := byOrder[w.order]; ok {
				t.Errorf("order %s holds %s and %s", w.order, prev, w.driver)
			}
			byDriver[w.driver], byOrder[w.order] = w.order, w.driver
		}
		if len(wins) != drivers {
			t.Fatalf("%d reservations for %d drivers and %d orders, want every driver used once", len(wins), drivers, orders)
		}
		for d, o := range byDriver {
			if h, _, _ := x.OrderHolder(ctx, o); h != d {
				t.Errorf("Redis says order %s holds %q, the race says %s", o, h, d)
			}
		}
	})
}
