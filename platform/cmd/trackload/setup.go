package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/city"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// password of every account the tool signs up (they are named after the run).
const password = "trackload-pass-1234"

// world is what setup made through the router: a restaurant of the run's own, its owner, a
// topped-up customer and, per stream, an order in delivery with its courier.
type world struct {
	run        string
	admin      *city.Session
	owner      *city.Session
	customer   *city.Session
	restaurant string
	dish       string
	at         city.Point // the restaurant
	streams    []*stream
}

// account signs up name, has the admin give it role ("" none) and signs it in with it.
func account(ctx context.Context, c *city.Client, admin *city.Session, name, role string) (*city.Session, error) {
	email := name + "@trackload.dizhtime.local"
	s, err := c.RegisterOrLogin(ctx, email, password, name)
	if err != nil || role == "" {
		return s, err
	}
	if err := admin.AssignRole(ctx, s.UserID, role); err != nil && !hasCode(err, "CONFLICT") {
		return nil, fmt.Errorf("assign %s to %s: %w", role, name, err)
	}
	return c.Login(ctx, email, password)
}

func hasCode(err error, code string) bool {
	var g *city.GraphQLError
	return errors.As(err, &g) && g.Has(code)
}

// setup makes the world with streams orders in delivery (each with a courier of its own).
func setup(ctx context.Context, c *city.Client, admin *city.Session, streams int, logf func(string, ...any)) (*world, error) {
	w := &world{run: fmt.Sprintf("trk%d", time.Now().UnixNano()%1_000_000_000_000), admin: admin}
	var err error
	// A restaurant somewhere of the run's own: no other courier (a `make run SIM=1` city's)
	// is near enough to be offered its orders.
	w.at = city.Offset(city.Point{Lat: -40 + 80*rand.Float64(), Lng: -150 + 300*rand.Float64()}, 0, 0)
	if w.owner, err = account(ctx, c, admin, w.run+"-owner", "RESTAURANT_OWNER"); err != nil {
		return nil, fmt.Errorf("owner: %w", err)
	}
	if w.restaurant, err = w.owner.CreateRestaurant(ctx, city.NewRestaurant{Name: "Trackload " + w.run, Cuisines: []string{"pizza"},
		At: w.at, Dishes: []city.NewDish{{Name: "Pizza Margherita", PriceMinor: 65_000}}}); err != nil {
		return nil, fmt.Errorf("create the restaurant: %w", err)
	}
	if w.dish, err = firstDish(ctx, w.owner, w.restaurant); err != nil {
		return nil, err
	}
	logf("restaurant %s at %.4f,%.4f, dish %s", w.restaurant, w.at.Lat, w.at.Lng, w.dish)

	if w.customer, err = account(ctx, c, admin, w.run+"-customer", ""); err != nil {
		return nil, fmt.Errorf("customer: %w", err)
	}
	if _, err := w.customer.TopUp(ctx, city.Money{AmountMinor: 500_000_000, Currency: "UZS"}, w.run+"-topup"); err != nil {
		return nil, fmt.Errorf("top up: %w", err)
	}
	if err := eventually(ctx, "the customer's top-up is credited", time.Minute, func() (bool, error) {
		wal, err := w.customer.Wallet(ctx)
		return wal.Balances["UZS"] > 0, err
	}); err != nil {
		return nil, err
	}

	// The couriers: signed up, listening for offers, online near the restaurant.
	type courier struct {
		s      *city.Session
		offers *routertest.Subscription
	}
	couriers := make([]courier, streams)
	for i := range couriers {
		d, err := account(ctx, c, admin, fmt.Sprintf("%s-driver-%d", w.run, i), "DRIVER")
		if err != nil {
			return nil, fmt.Errorf("courier %d: %w", i, err)
		}
		sub, err := d.Subscribe(ctx, city.OffersSubscription, nil)
		if err != nil {
			return nil, fmt.Errorf("courier %d: driverOffers: %w", i, err)
		}
		defer sub.Close()
		if err := d.GoOnline(ctx, city.Offset(w.at, 200, 200)); err != nil {
			return nil, fmt.Errorf("courier %d: goOnline: %w", i, err)
		}
		couriers[i] = courier{s: d, offers: sub}
	}
	logf("%d courier(s) online", streams)

	// Dispatch learns the restaurant's location from restaurant.updated (Kafka) and, on a
	// loaded machine, an order accepted before that arrives is dead-lettered by dispatch
	// ("restaurant location ... not found") and never offered. Search reads the same event:
	// once it finds the restaurant, the event is out; a few seconds more for dispatch.
	if err := eventually(ctx, "search finds the new restaurant (restaurant.updated is out)", 2*time.Minute, func() (bool, error) {
		hits, err := w.customer.SearchRestaurants(ctx, "", w.at, 5)
		for _, h := range hits {
			if h.RestaurantID == w.restaurant {
				return true, nil
			}
		}
		return false, err
	}); err != nil {
		return nil, err
	}
	time.Sleep(3 * time.Second)

	// The orders: placed, paid from the wallet, accepted and cooking (dispatch matches from
	// acceptance on).
	orders := make([]string, streams)
	for i := range orders {
		drop := city.Offset(w.at, -800, -600)
		o, err := w.customer.PlaceOrder(ctx, w.restaurant, w.dish, 1, drop, fmt.Sprintf("%s-order-%d", w.run, i))
		if err != nil {
			return nil, fmt.Errorf("order %d: %w", i, err)
		}
		orders[i] = o.ID
	}
	for i, id := range orders {
		if err := eventually(ctx, "order "+id+" is PAID", 90*time.Second, func() (bool, error) {
			st, err := w.customer.OrderStatus(ctx, id)
			return st == "PAID", err
		}); err != nil {
			return nil, err
		}
		for _, m := range []string{"acceptOrder", "markPreparing"} {
			if _, err := w.owner.MoveOrder(ctx, m, id); err != nil {
				return nil, fmt.Errorf("order %d: %s: %w", i, m, err)
			}
		}
	}
	logf("%d order(s) paid, accepted, preparing; waiting for the couriers to accept the offers", streams)

	// Each courier takes the first offer it gets; matching offers each order to one courier.
	var mu sync.Mutex
	taken := map[string]*city.Session{}
	mctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for _, cr := range couriers {
		wg.Go(func() {
			for mctx.Err() == nil {
				r, err := cr.offers.Next(mctx)
				if err != nil {
					return
				}
				var o struct{ DriverOffers city.Offer }
				if r.Decode(&o) != nil || o.DriverOffers.OrderID == "" {
					continue
				}
				if _, err := cr.s.AcceptOffer(mctx, o.DriverOffers.OrderID); err != nil {
					logf("courier %s: acceptOffer %s: %v", cr.s.UserID, o.DriverOffers.OrderID, err)
					continue
				}
				mu.Lock()
				taken[o.DriverOffers.OrderID] = cr.s
				all := len(taken) == streams
				mu.Unlock()
				if all {
					cancel()
				}
				return
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(taken) < streams {
		return nil, fmt.Errorf("only %d of %d orders were taken by a courier within 3 minutes (dispatch's log says why: e.g. an order.status.changed dead-lettered)", len(taken), streams)
	}
	for i, id := range orders {
		w.streams = append(w.streams, newStream(i, id, taken[id], city.Offset(w.at, 200, 200)))
	}
	return w, nil
}

// firstDish is the first item of the restaurant's menu.
func firstDish(ctx context.Context, s *city.Session, restaurant string) (string, error) {
	var out struct {
		Restaurant *struct {
			Menu struct {
				Categories []struct{ Items []struct{ ID string } }
			}
		}
	}
	if err := s.Do(ctx, `query Menu($id: ID!) { restaurant(id: $id) { menu { categories { items { id } } } } }`,
		map[string]any{"id": restaurant}, &out); err != nil {
		return "", fmt.Errorf("read the menu: %w", err)
	}
	if out.Restaurant != nil {
		for _, c := range out.Restaurant.Menu.Categories {
			for _, it := range c.Items {
				return it.ID, nil
			}
		}
	}
	return "", fmt.Errorf("restaurant %s has no dish", restaurant)
}

func eventually(ctx context.Context, what string, within time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(within)
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s (last error: %v)", what, within, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
