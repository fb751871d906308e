package city

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// SimConfig is how busy the simulated city is.
type SimConfig struct {
	// OrdersPerMinute customers order, spread evenly.
	OrdersPerMinute float64
	// Drivers online at once; Customers the pool orders come from; Restaurants the
	// restaurants (near Centre, open now) whose kitchens the simulator runs.
	Drivers     int
	Customers   int
	Restaurants int
	// Duration ends the run (0: until the context ends).
	Duration time.Duration
	// MaxInFlight bounds orders between placing and delivery.
	MaxInFlight int
	// SpeedMPS is how fast drivers move; Tick how often they report a position.
	SpeedMPS float64
	Tick     time.Duration
	// PrepTime is how long kitchens cook.
	PrepTime time.Duration
	Centre   Point
	// Run names this run's accounts apart from earlier runs'.
	Run string
}

// DefaultSimConfig is a gentle city for the laptop.
func DefaultSimConfig() SimConfig {
	return SimConfig{OrdersPerMinute: 6, Drivers: 5, Customers: 10, Restaurants: 8, MaxInFlight: 10,
		SpeedMPS: 12, Tick: time.Second, PrepTime: 15 * time.Second, Centre: Tashkent,
		Run: fmt.Sprintf("sim%d", time.Now().Unix())}
}

// SimStats count what happened.
type SimStats struct {
	Placed, Paid, Accepted, Offers, Delivered, Failed atomic.Int64
}

func (s *SimStats) String() string {
	return fmt.Sprintf("placed=%d paid=%d accepted=%d offers=%d delivered=%d failed=%d",
		s.Placed.Load(), s.Paid.Load(), s.Accepted.Load(), s.Offers.Load(), s.Delivered.Load(), s.Failed.Load())
}

// Sim is a running simulated city.
type Sim struct {
	cfg    SimConfig
	client *Client
	admin  *Session
	log    *slog.Logger
	Stats  SimStats
}

// NewSim plays cfg through the router client; admin gives couriers their role and staff
// their restaurants.
func NewSim(cfg SimConfig, client *Client, admin *Session, log *slog.Logger) (*Sim, error) {
	switch {
	case cfg.OrdersPerMinute <= 0 || cfg.OrdersPerMinute > 600:
		return nil, errors.New("sim: orders per minute must be in (0, 600]")
	case cfg.Drivers < 1 || cfg.Drivers > 200, cfg.Customers < 1 || cfg.Customers > 1000, cfg.Restaurants < 1 || cfg.Restaurants > 100:
		return nil, errors.New("sim: drivers in [1,200], customers in [1,1000], restaurants in [1,100]")
	case cfg.MaxInFlight < 1 || cfg.SpeedMPS <= 0 || cfg.Tick <= 0:
		return nil, errors.New("sim: max in flight, speed and tick must be positive")
	case client == nil || admin == nil:
		return nil, errors.New("sim: a client and an admin session are required")
	}
	return &Sim{cfg: cfg, client: client, admin: admin, log: log}, nil
}

// Run plays the city until ctx ends or the duration passes, then lets drivers go offline.
func (s *Sim) Run(ctx context.Context) error {
	if s.cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.Duration)
		defer cancel()
	}
	restaurants, err := s.waitForKitchens(ctx, 3*time.Minute)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for _, r := range restaurants {
		wg.Go(func() { s.kitchen(ctx, r.staff, r.id) })
	}
	for i := range s.cfg.Drivers {
		d, err := s.account(ctx, fmt.Sprintf("%s-driver-%d", s.cfg.Run, i), "DRIVER")
		if err != nil {
			return err
		}
		wg.Go(func() { s.driver(ctx, d) })
	}
	customers := make([]*Session, 0, s.cfg.Customers)
	for i := range s.cfg.Customers {
		c, err := s.client.RegisterOrLogin(ctx, fmt.Sprintf("%s-customer-%d@sim.dizhtime.local", s.cfg.Run, i), DemoPassword, fmt.Sprintf("Customer %d", i))
		if err != nil {
			return err
		}
		if _, err := c.TopUp(ctx, Money{AmountMinor: 50_000_000, Currency: "UZS"}, c.UserID+"-float"); err != nil {
			return fmt.Errorf("sim: top up: %w", err)
		}
		customers = append(customers, c)
	}
	s.log.Info("sim running", "restaurants", len(restaurants), "drivers", s.cfg.Drivers, "customers", len(customers), "orders_per_minute", s.cfg.OrdersPerMinute)

	inFlight := make(chan struct{}, s.cfg.MaxInFlight)
	tick := time.NewTicker(time.Duration(float64(time.Minute) / s.cfg.OrdersPerMinute))
	defer tick.Stop()
	status := time.NewTicker(30 * time.Second)
	defer status.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			s.log.Info("sim stopped", "stats", s.Stats.String())
			return nil
		case <-status.C:
			s.log.Info("sim", "stats", s.Stats.String())
		case <-tick.C:
			select {
			case inFlight <- struct{}{}:
			default:
				continue // bounded: skip this order while too many are on their way
			}
			c := customers[rand.IntN(len(customers))]
			wg.Go(func() {
				defer func() { <-inFlight }()
				s.order(ctx, c, restaurants)
			})
		}
	}
}

type simRestaurant struct {
	id     string
	at     Point
	dishes []Dish
	staff  *Session
}

// waitForKitchens retries kitchens until the city is searchable or patience runs out: on a
// fresh start the demo city is still flowing from restaurants' outbox into the search index.
func (s *Sim) waitForKitchens(ctx context.Context, patience time.Duration) ([]simRestaurant, error) {
	deadline := time.Now().Add(patience)
	for {
		restaurants, err := s.kitchens(ctx)
		if err == nil || time.Now().After(deadline) {
			return restaurants, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// kitchens picks open restaurants near the centre and signs a staff account in for each.
func (s *Sim) kitchens(ctx context.Context) ([]simRestaurant, error) {
	hits, err := s.admin.SearchRestaurants(ctx, "", s.cfg.Centre, 50)
	if err != nil {
		return nil, fmt.Errorf("sim: find restaurants: %w", err)
	}
	var out []simRestaurant
	for _, h := range hits {
		if !h.IsOpen || len(h.Dishes) == 0 {
			continue
		}
		staff, err := s.account(ctx, fmt.Sprintf("%s-staff-%d", s.cfg.Run, len(out)), "RESTAURANT_OWNER")
		if err != nil {
			return nil, err
		}
		if err := s.admin.GrantRestaurantOwner(ctx, h.RestaurantID, staff.UserID); err != nil && !isConflict(err) {
			return nil, err
		}
		out = append(out, simRestaurant{id: h.RestaurantID, at: h.Location, dishes: h.Dishes, staff: staff})
		if len(out) == s.cfg.Restaurants {
			break
		}
	}
	if len(out) == 0 {
		return nil, errors.New("sim: no open restaurant with dishes near the centre (is the demo city seeded and indexed?)")
	}
	return out, nil
}

// account registers a user, has the admin give it role, and signs it in with the role.
func (s *Sim) account(ctx context.Context, name, role string) (*Session, error) {
	email := name + "@sim.dizhtime.local"
	u, err := s.client.RegisterOrLogin(ctx, email, DemoPassword, name)
	if err != nil {
		return nil, err
	}
	if err := s.admin.AssignRole(ctx, u.UserID, role); err != nil && !isConflict(err) {
		return nil, err
	}
	return s.client.Login(ctx, email, DemoPassword)
}

var cravings = []string{"piza", "pizza", "plov", "burger", "sushi", "lagman", "shashlik", "coffee"}

// order is one customer's order: search near home, pick a dish, order it.
func (s *Sim) order(ctx context.Context, c *Session, kitchens []simRestaurant) {
	k := kitchens[rand.IntN(len(kitchens))]
	home := Offset(k.at, (rand.Float64()-0.5)*4000, (rand.Float64()-0.5)*4000)
	// Customers search like people do; they order from a kitchen the simulator runs.
	_, _ = c.SearchRestaurants(ctx, cravings[rand.IntN(len(cravings))], home, 10)
	dish := k.dishes[rand.IntN(len(k.dishes))]
	o, err := c.PlaceOrder(ctx, k.id, dish.ID, 1+rand.IntN(2), home, fmt.Sprintf("%s-%d", c.UserID, time.Now().UnixNano()))
	if err != nil {
		s.log.Info("sim: place order failed", "restaurant", k.id, "err", err)
		s.Stats.Failed.Add(1)
		return
	}
	s.Stats.Placed.Add(1)
	// The customer watches the order until it is done, like the app's tracking screen.
	sub, err := c.Subscribe(ctx, `subscription($id: ID!) { orderUpdated(id: $id, since: 0) { transition { to } } }`, map[string]any{"id": o.ID})
	if err != nil {
		return
	}
	defer sub.Close()
	for {
		r, err := sub.Next(ctx)
		if err != nil || len(r.Errors) > 0 {
			return
		}
		var d struct {
			OrderUpdated struct{ Transition struct{ To string } }
		}
		_ = json.Unmarshal(r.Data, &d)
		switch d.OrderUpdated.Transition.To {
		case "PAID":
			s.Stats.Paid.Add(1)
		case "DELIVERED":
			s.Stats.Delivered.Add(1)
			return
		case "PAYMENT_FAILED", "REJECTED", "CANCELLED", "DELIVERY_FAILED":
			s.Stats.Failed.Add(1)
			return
		}
	}
}

// kitchen is a restaurant's tablet: it accepts every paid order, cooks, and marks it ready.
func (s *Sim) kitchen(ctx context.Context, staff *Session, restaurantID string) {
	for ctx.Err() == nil {
		sub, err := staff.Subscribe(ctx, `subscription($id: ID!) { restaurantOrders(restaurantId: $id) { transition { to } order { id } } }`, map[string]any{"id": restaurantID})
		if err != nil {
			sleep(ctx, 2*time.Second)
			continue
		}
		for {
			r, err := sub.Next(ctx)
			if err != nil || len(r.Errors) > 0 {
				break
			}
			var d struct {
				RestaurantOrders struct {
					Transition struct{ To string }
					Order      struct{ ID string }
				}
			}
			_ = json.Unmarshal(r.Data, &d)
			if d.RestaurantOrders.Transition.To != "PAID" {
				continue
			}
			id := d.RestaurantOrders.Order.ID
			go func() {
				sleep(ctx, 2*time.Second)
				if _, err := staff.MoveOrder(ctx, "acceptOrder", id); err != nil {
					return
				}
				s.Stats.Accepted.Add(1)
				_, _ = staff.MoveOrder(ctx, "markPreparing", id)
				sleep(ctx, s.cfg.PrepTime)
				_, _ = staff.MoveOrder(ctx, "markReady", id)
			}()
		}
		sub.Close()
	}
}

// driver is a courier's shift: wander while waiting, take offers, drive to the restaurant,
// pick up, drive to the customer, deliver.
func (s *Sim) driver(ctx context.Context, d *Session) {
	at := Offset(s.cfg.Centre, (rand.Float64()-0.5)*6000, (rand.Float64()-0.5)*6000)
	if err := d.GoOnline(ctx, at); err != nil {
		s.log.Warn("sim: go online", "err", err)
		return
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = d.GoOffline(stop)
	}()
	offers := make(chan Offer, 4)
	go func() {
		for ctx.Err() == nil {
			sub, err := d.Subscribe(ctx, OffersSubscription, nil)
			if err != nil {
				sleep(ctx, 2*time.Second)
				continue
			}
			for {
				r, err := sub.Next(ctx)
				if err != nil || len(r.Errors) > 0 {
					break
				}
				var o struct{ DriverOffers Offer }
				if json.Unmarshal(r.Data, &o) == nil {
					select {
					case offers <- o.DriverOffers:
					case <-ctx.Done():
					}
				}
			}
			sub.Close()
		}
	}()
	step := s.cfg.SpeedMPS * s.cfg.Tick.Seconds()
	wander := Offset(at, (rand.Float64()-0.5)*1000, (rand.Float64()-0.5)*1000)
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case o := <-offers:
			s.Stats.Offers.Add(1)
			del, err := d.AcceptOffer(ctx, o.OrderID)
			if err != nil {
				continue
			}
			at = s.driveTo(ctx, d, at, del.Pickup, step)
			// Wait at the counter until the kitchen hands the order over.
			for ctx.Err() == nil {
				if _, err := d.MoveDelivery(ctx, "markPickedUp", del.ID); err == nil {
					break
				}
				sleep(ctx, 2*time.Second)
			}
			at = s.driveTo(ctx, d, at, del.Dropoff, step)
			_, _ = d.MoveDelivery(ctx, "markDelivered", del.ID)
		case <-t.C:
			var arrived bool
			if at, arrived = Toward(at, wander, step/3); arrived {
				wander = Offset(at, (rand.Float64()-0.5)*1000, (rand.Float64()-0.5)*1000)
			}
			_ = d.UpdateLocation(ctx, at)
		}
	}
}

func (s *Sim) driveTo(ctx context.Context, d *Session, at, dest Point, step float64) Point {
	for arrived := false; !arrived && ctx.Err() == nil; {
		at, arrived = Toward(at, dest, step)
		_ = d.UpdateLocation(ctx, at)
		sleep(ctx, s.cfg.Tick)
	}
	return at
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
