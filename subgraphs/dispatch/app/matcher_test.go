package app_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

var restaurant = domain.Point{Lat: 41.3111, Lng: 69.2797}

func near(dNorth float64) domain.Point {
	return domain.Point{Lat: restaurant.Lat + dNorth/111_195, Lng: restaurant.Lng}
}

// servers runs fn against the real Redis and the embedded miniredis.
func servers(t *testing.T, fn func(t *testing.T, x *adapters.LiveIndex)) {
	t.Run("real Redis", func(t *testing.T) {
		c, err := redisdb.Connect(context.Background(), endpoints.Redis())
		if err != nil {
			t.Fatalf("real Redis not reachable (start it with `deploy/local/services.sh up redis`): %v", err)
		}
		t.Cleanup(func() { _ = c.Close() })
		fn(t, index(t, c))
	})
	t.Run("embedded miniredis", func(t *testing.T) {
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
		fn(t, index(t, c))
	})
}

func index(t *testing.T, c *redis.Client) *adapters.LiveIndex {
	prefix := fmt.Sprintf("test:match:%d:", rand.Int64())
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return adapters.NewLiveIndex(c, prefix)
}

func matcher(t *testing.T, x *adapters.LiveIndex, timeout time.Duration, attempts int) *app.Matcher {
	m, err := app.NewMatcher(x, app.MatchConfig{Want: 3, OfferTimeout: timeout, Attempts: attempts, RetryBackoff: 20 * time.Millisecond, PollInterval: 10 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// driverApp simulates a driver's phone: it answers each offer with reply ("accept",
// "decline" or "ignore") and records the orders it was offered.
type driverApp struct {
	mu      sync.Mutex
	offered []string
}

func (d *driverApp) offers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.offered...)
}

func runDriver(t *testing.T, ctx context.Context, x *adapters.LiveIndex, id string, at domain.Point, v domain.Vehicle, reply string) *driverApp {
	t.Helper()
	if _, err := x.GoOnline(ctx, id, v, at, time.Now()); err != nil {
		t.Fatal(err)
	}
	sub := x.Subscribe(ctx, x.OffersChannel(id))
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	d := &driverApp{}
	go func() {
		defer sub.Close()
		for msg := range sub.Channel() {
			order, _, _ := strings.Cut(msg.Payload, "|")
			d.mu.Lock()
			d.offered = append(d.offered, order)
			d.mu.Unlock()
			switch reply {
			case "accept":
				_ = x.Accept(ctx, order, id, time.Now())
			case "decline":
				_ = x.Release(ctx, order, id)
			}
		}
	}()
	return d
}

func TestMatcher_picksTheNearestAvailableDriver(t *testing.T) {
	servers(t, func(t *testing.T, x *adapters.LiveIndex) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		far := runDriver(t, ctx, x, "far", near(1500), domain.VehicleScooter, "accept")
		nearest := runDriver(t, ctx, x, "nearest", near(150), domain.VehicleScooter, "accept")
		mid := runDriver(t, ctx, x, "mid", near(600), domain.VehicleScooter, "accept")
		a, err := matcher(t, x, time.Second, 1).Match(ctx, app.MatchRequest{OrderID: "o1", Pickup: restaurant})
		if err != nil {
			t.Fatal(err)
		}
		if a.DriverID != "nearest" || a.Offers != 1 {
			t.Fatalf("assignment %+v, want nearest at the first offer", a)
		}
		if len(far.offers())+len(mid.offers()) != 0 || len(nearest.offers()) != 1 {
			t.Fatalf("offers: far %v mid %v nearest %v", far.offers(), mid.offers(), nearest.offers())
		}
	})
}

func TestMatcher_movesToTheNextDriverWhenAnOfferTimesOut(t *testing.T) {
	servers(t, func(t *testing.T, x *adapters.LiveIndex) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sleepy := runDriver(t, ctx, x, "sleepy", near(100), domain.VehicleScooter, "ignore")
		runDriver(t, ctx, x, "keen", near(700), domain.VehicleScooter, "accept")
		start := time.Now()
		a, err := matcher(t, x, 200*time.Millisecond, 1).Match(ctx, app.MatchRequest{OrderID: "o1", Pickup: restaurant})
		if err != nil {
			t.Fatal(err)
		}
		if a.DriverID != "keen" || a.Offers != 2 || len(sleepy.offers()) != 1 {
			t.Fatalf("assignment %+v, sleepy offered %v", a, sleepy.offers())
		}
		if took := time.Since(start); took < 200*time.Millisecond {
			t.Fatalf("moved on after %s, before the offer timed out", took)
		}
		st, _ := x.Driver(ctx, "sleepy")
		if st.Status != domain.DriverAvailable {
			t.Fatalf("the driver who let the offer lapse is %s, want AVAILABLE again", st.Status)
		}
	})
}

func TestMatcher_movesToTheNextDriverWhenAnOfferIsDeclined(t *testing.T) {
	servers(t, func(t *testing.T, x *adapters.LiveIndex) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		runDriver(t, ctx, x, "picky", near(100), domain.VehicleScooter, "decline")
		runDriver(t, ctx, x, "keen", near(700), domain.VehicleScooter, "accept")
		start := time.Now()
		a, err := matcher(t, x, 5*time.Second, 1).Match(ctx, app.MatchRequest{OrderID: "o1", Pickup: restaurant})
		if err != nil || a.DriverID != "keen" {
			t.Fatalf("assignment %+v %v", a, err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("a decline should move on at once, took %s", took)
		}
	})
}

func TestMatcher_retriesThenGivesUpWithErrNoDriverWhenNobodyAccepts(t *testing.T) {
	servers(t, func(t *testing.T, x *adapters.LiveIndex) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		picky := runDriver(t, ctx, x, "picky", near(100), domain.VehicleScooter, "decline")
		_, err := matcher(t, x, time.Second, 3).Match(ctx, app.MatchRequest{OrderID: "o1", Pickup: restaurant})
		if !errors.Is(err, app.ErrNoDriver) {
			t.Fatalf("err = %v, want ErrNoDriver", err)
		}
		if got := picky.offers(); len(got) != 1 {
			t.Fatalf("a driver who declined was asked again: %v", got)
		}
		if h, _, _ := x.OrderHolder(ctx, "o1"); h != "" {
			t.Fatalf("the unmatched order still holds %s", h)
		}
	})
}

func TestMatcher_twoOrdersRacingForOneDriverGetDifferentDrivers(t *testing.T) {
	servers(t, func(t *testing.T, x *adapters.LiveIndex) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		runDriver(t, ctx, x, "d1", near(100), domain.VehicleScooter, "accept")
		runDriver(t, ctx, x, "d2", near(900), domain.VehicleScooter, "accept")
		m := matcher(t, x, time.Second, 1)
		var wg sync.WaitGroup
		got := make([]app.Assignment, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() {
				got[i], errs[i] = m.Match(ctx, app.MatchRequest{OrderID: fmt.Sprintf("o%d", i), Pickup: restaurant})
			})
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || got[0].DriverID == got[1].DriverID {
			t.Fatalf("assignments %+v errors %v", got, errs)
		}
	})
}

func TestMatcher_anOfferThatCannotBeRecordedIsWithdrawnAndEndsTheMatch(t *testing.T) {
	servers(t, func(t *testing.T, x *adapters.LiveIndex) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		runDriver(t, ctx, x, "d1", near(150), domain.VehicleScooter, "ignore")
		broken := errors.New("outbox down")
		var recorded []string
		_, err := matcher(t, x, 5*time.Second, 1).Match(ctx, app.MatchRequest{OrderID: "o1", Pickup: restaurant,
			Offered: func(_ context.Context, driverID string, pickupIn time.Duration, expires time.Time) error {
				recorded = append(recorded, driverID)
				if pickupIn <= 0 || !expires.After(time.Now()) {
					t.Errorf("offer to %s: pickup in %v, expires %v", driverID, pickupIn, expires)
				}
				return broken
			}})
		if !errors.Is(err, broken) || len(recorded) != 1 {
			t.Fatalf("match = %v after recording %v, want the recording error after one offer", err, recorded)
		}
		if holder, _, err := x.OrderHolder(ctx, "o1"); err != nil || holder != "" {
			t.Fatalf("order still held by %q (%v): the unrecorded offer was not withdrawn", holder, err)
		}
	})
}

// A round reads the ranking a page (Want drivers) at a time: with more decliners than a
// page, the order is still offered down the whole ranking by pickup time, each driver
// once, in the order one ranking of them all gives (vehicles mixed, so that is not the
// order of distance), and the last driver, who accepts, gets it.
func TestMatcher_offersDownTheWholeRankingAPageAtATime(t *testing.T) {
	servers(t, func(t *testing.T, x *adapters.LiveIndex) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		vehicles := []domain.Vehicle{domain.VehicleBicycle, domain.VehicleCar, domain.VehicleScooter}
		var all []domain.Candidate
		for i := range 8 {
			c := domain.Candidate{DriverID: fmt.Sprintf("decliner%d", i), At: near(float64(40 + 50*i)), Vehicle: vehicles[i%3]}
			runDriver(t, ctx, x, c.DriverID, c.At, c.Vehicle, "decline")
			all = append(all, c)
		}
		keen := domain.Candidate{DriverID: "keen", At: near(420), Vehicle: domain.VehicleBicycle}
		runDriver(t, ctx, x, keen.DriverID, keen.At, keen.Vehicle, "accept")
		all = append(all, keen)
		domain.RankByPickupTime(restaurant, all)
		if all[len(all)-1].DriverID != "keen" {
			t.Fatalf("the test wants the accepting driver ranked last: %+v", all)
		}
		var mu sync.Mutex
		var offered []string
		a, err := matcher(t, x, 5*time.Second, 1).Match(ctx, app.MatchRequest{OrderID: "o1", Pickup: restaurant,
			Offered: func(_ context.Context, driverID string, _ time.Duration, _ time.Time) error {
				mu.Lock()
				offered = append(offered, driverID)
				mu.Unlock()
				return nil
			}})
		if err != nil || a.DriverID != "keen" || a.Offers != len(all) {
			t.Fatalf("assignment %+v %v, want keen after %d offers", a, err, len(all))
		}
		ranked := make([]string, len(all))
		for i, c := range all {
			ranked[i] = c.DriverID
		}
		if fmt.Sprint(offered) != fmt.Sprint(ranked) {
			t.Fatalf("offered in the order %v, ranking all gives %v", offered, ranked)
		}
	})
}
