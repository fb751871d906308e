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
		if st, _, err := x.Ping(ctx, "d", near(100), now.Add(time.Second)); err != nil || st != domain.DriverAvailable {
			t.Fatalf("ping: %s %v", st, err)
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

	t.Run("an offline driver's ping changes nothing", func(t *testing.T) {
		x := newIndex(t, c)
		if _, _, err := x.Ping(ctx, "ghost", restaurant, now); !errors.Is(err, domain.ErrDriverOffline) {
			t.Fatalf("ping of unknown driver = %v, want ErrDriverOffline", err)
		}
		cs, _, _ := x.Candidates(ctx, restaurant, 1)
		if len(cs) != 0 {
			t.Fatalf("candidates %v", cs)
		}
	})

	t.Run("drivers without a ping for the stale window are dropped", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "silent", near(100))
		online(t, x, "chatty", near(150))
		if _, _, err := x.Ping(ctx, "chatty", near(150), now.Add(40*time.Second)); err != nil {
			t.Fatal(err)
		}
		_, stale, err := x.Sweep(ctx, now.Add(45*time.Second), now.Add(15*time.Second), 100)
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
		expired, _, err := x.Sweep(ctx, now.Add(11*time.Second), now.Add(-time.Hour), 100)
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
		if _, _, err := x.Sweep(ctx, now.Add(time.Hour), now.Add(-time.Hour), 100); err != nil {
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

	t.Run("the tracking channel carries the assigned driver's pings", func(t *testing.T) {
		x := newIndex(t, c)
		online(t, x, "d", near(100))
		_ = x.Reserve(ctx, "o1", "d", now.Add(10*time.Second))
		_ = x.Accept(ctx, "o1", "d", now)
		sub := x.Subscribe(ctx, x.TrackingChannel("o1"))
		defer sub.Close()
		if _, err := sub.Receive(ctx); err != nil { // subscription confirmed
			t.Fatal(err)
		}
		if _, order, err := x.Ping(ctx, "d", near(50), now.Add(time.Second)); err != nil || order != "o1" {
			t.Fatalf("ping: order %q %v", order, err)
		}
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		msg, err := sub.ReceiveMessage(rctx)
		if err != nil {
			t.Fatal(err)
		}
		loc, err := adapters.ParseLocation(msg.Payload)
		if err != nil || loc.DriverID != "d" || domain.DistanceMeters(loc.At, near(50)) > 1 {
			t.Fatalf("tracking message %q: %+v %v", msg.Payload, loc, err)
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
