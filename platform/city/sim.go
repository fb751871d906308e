package city

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// SimConfig is how busy the simulated city is.
//
// The city runs fast-forward: kitchens cook in seconds and couriers ride fast across a
// small city, so an order gets from placing to the door in a minute or two and a short run
// shows whole journeys. At real speeds (12 m/s across a 6 km city) a courier's first
// delivery takes about five minutes: a five-minute run delivers next to nothing, while
// orders queue for the few couriers until dispatch gives up on them.
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
	// RadiusM is how far (metres, north and east) from Centre drivers start, and from
	// the restaurant customers live.
	RadiusM float64
	// PickupPatience is how long a courier waits at the counter for an order that is not
	// ready before handing the delivery back.
	PickupPatience time.Duration
	// ReportEvery is how often the counts are logged.
	ReportEvery time.Duration
	// Run names this run's accounts apart from earlier runs'.
	Run string
}

// DefaultSimConfig is a gentle city for the laptop: a courier's round (to the restaurant,
// then to the door) takes about a minute, so eight couriers keep up with six orders a
// minute and orders do not queue for a courier until dispatch gives up on them.
func DefaultSimConfig() SimConfig {
	return SimConfig{OrdersPerMinute: 6, Drivers: 8, Customers: 10, Restaurants: 8, MaxInFlight: 10,
		SpeedMPS: 40, Tick: time.Second, PrepTime: 15 * time.Second, Centre: Tashkent, RadiusM: 1000,
		PickupPatience: 2 * time.Minute, ReportEvery: 30 * time.Second,
		Run: fmt.Sprintf("sim%d", time.Now().Unix())}
}

// Sim is a running simulated city.
type Sim struct {
	cfg    SimConfig
	client *Client
	admin  *Session
	log    *slog.Logger
	Stats  SimStats

	logMu  sync.Mutex
	logged map[string]time.Time // failure key -> when it was last logged
}

// NewSim plays cfg through the router client; admin gives couriers their role and staff
// their restaurants, and reads orders' statuses for couriers waiting at a counter.
func NewSim(cfg SimConfig, client *Client, admin *Session, log *slog.Logger) (*Sim, error) {
	switch {
	case cfg.OrdersPerMinute <= 0 || cfg.OrdersPerMinute > 600:
		return nil, errors.New("sim: orders per minute must be in (0, 600]")
	case cfg.Drivers < 1 || cfg.Drivers > 200, cfg.Customers < 1 || cfg.Customers > 1000, cfg.Restaurants < 1 || cfg.Restaurants > 100:
		return nil, errors.New("sim: drivers in [1,200], customers in [1,1000], restaurants in [1,100]")
	case cfg.MaxInFlight < 1 || cfg.SpeedMPS <= 0 || cfg.Tick <= 0:
		return nil, errors.New("sim: max in flight, speed and tick must be positive")
	case cfg.RadiusM < 100 || cfg.RadiusM > 50_000:
		return nil, errors.New("sim: radius must be in [100, 50000] metres")
	case cfg.PrepTime < 0 || cfg.PickupPatience <= 0 || cfg.ReportEvery <= 0:
		return nil, errors.New("sim: prep time must not be negative; pickup patience and report interval must be positive")
	case client == nil || admin == nil:
		return nil, errors.New("sim: a client and an admin session are required")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Sim{cfg: cfg, client: client, admin: admin, log: log, logged: map[string]time.Time{}}, nil
}

// Run plays the city until ctx ends or the duration passes, then lets drivers go offline
// (handing back deliveries they have not picked up yet).
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
	started := time.Now()
	s.log.Info("sim running", "restaurants", len(restaurants), "drivers", s.cfg.Drivers, "customers", len(customers),
		"orders_per_minute", s.cfg.OrdersPerMinute, "speed_mps", s.cfg.SpeedMPS, "radius_m", s.cfg.RadiusM, "prep_time", s.cfg.PrepTime)

	inFlight := make(chan struct{}, s.cfg.MaxInFlight)
	tick := time.NewTicker(time.Duration(float64(time.Minute) / s.cfg.OrdersPerMinute))
	defer tick.Stop()
	status := time.NewTicker(s.cfg.ReportEvery)
	defer status.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			s.log.Info("sim stopped", "after", time.Since(started).Round(time.Second), "stats", s.Stats.String())
			return nil
		case <-status.C:
			s.log.Info("sim", "after", time.Since(started).Round(time.Second), "stats", s.Stats.String())
		case <-tick.C:
			select {
			case inFlight <- struct{}{}:
			default:
				s.Stats.Skipped.Add(1) // bounded: skip this order while too many are on their way
				continue
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

// fail tallies a call that failed under its operation and error codes, and logs it: at
// most once per kind every 10 s (a router outage would otherwise print a line per courier
// per tick). Calls cut short because the run is ending are not failures.
func (s *Sim) fail(ctx context.Context, op string, err error, attrs ...any) {
	if err == nil || ctx.Err() != nil {
		return
	}
	codes := ErrorCodes(err)
	key := op + " " + strings.Join(codes, "/")
	n := s.Stats.failed(key)
	now := time.Now()
	s.logMu.Lock()
	loud := now.Sub(s.logged[key]) >= 10*time.Second
	if loud {
		s.logged[key] = now
	}
	s.logMu.Unlock()
	if loud {
		s.log.Warn("sim: call failed", append([]any{"op", op, "codes", codes, "count", n, "err", err}, attrs...)...)
	}
}

// retry calls call until it succeeds, fails for good (see retryable) or attempts run out,
// with pauses in between; each failure is tallied under op.
func (s *Sim) retry(ctx context.Context, op string, attempts int, call func(context.Context) error) error {
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		err := call(ctx)
		if err != nil {
			s.fail(ctx, op, err)
			if !retryable(err) {
				return struct{}{}, backoff.Permanent(err)
			}
		}
		return struct{}{}, err
	}, backoff.WithBackOff(pauses()), backoff.WithMaxTries(uint(attempts)), backoff.WithMaxElapsedTime(0))
	return err
}

// maxResubscribes bounds the attempts in a row that follow makes without an event.
const maxResubscribes = 20

// follow keeps a subscription of who's open until handle reports it done or ctx ends. A
// subscription ends when the connection drops, and the router ends it with
// UNAUTHENTICATED when the token it started with expires (tokens last 15 minutes): follow
// signs in again when told so and subscribes again with backoff, giving up after
// maxResubscribes attempts in a row that brought no event. vars is asked again for each
// subscription (a tracker resumes after what it has seen); opened, if set, runs each time
// one is up (a kitchen reloads what it may have missed meanwhile).
func (s *Sim) follow(ctx context.Context, who *Session, op, query string, vars func() map[string]any,
	opened func(), handle func(*routertest.Response) (done bool)) error {
	var err error
	wait := pauses()
	for failures := 0; ctx.Err() == nil; {
		var sub *routertest.Subscription
		if sub, err = who.Subscribe(ctx, query, vars()); err == nil {
			if opened != nil {
				opened()
			}
			var events int
			var done bool
			events, done, err = consume(ctx, op, sub, handle)
			sub.Close()
			if done {
				return nil
			}
			if events > 0 {
				failures = 0
				wait.Reset()
			}
		}
		if ctx.Err() != nil {
			break
		}
		s.fail(ctx, op, err)
		if hasCode(err, "UNAUTHENTICATED") {
			if rerr := who.Renew(ctx); rerr != nil {
				s.fail(ctx, "login", rerr)
			}
		}
		if failures++; failures >= maxResubscribes {
			return fmt.Errorf("sim: %s: gave up after %d attempts without an event: %w", op, failures, err)
		}
		sleep(ctx, wait.NextBackOff())
	}
	return ctx.Err()
}

// consume reads events until handle is done or the subscription ends (err says how).
func consume(ctx context.Context, op string, sub *routertest.Subscription, handle func(*routertest.Response) bool) (events int, done bool, err error) {
	for {
		r, err := sub.Next(ctx)
		if err != nil {
			return events, false, err
		}
		if len(r.Errors) > 0 {
			e := &GraphQLError{Operation: op, Codes: r.Codes()}
			for _, m := range r.Errors {
				e.Messages = append(e.Messages, m.Message)
			}
			return events, false, e
		}
		events++
		if handle(r) {
			return events, true, nil
		}
	}
}

// pauses are the waits between attempts: 1 s doubling up to 20 s, each randomized by
// ±50% (so at most 30 s) so that many actors retrying together spread out.
func pauses() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.Multiplier, b.MaxInterval, b.RandomizationFactor = time.Second, 2, 20*time.Second, 0.5
	return b
}

// scatter is a point up to radius metres north/south and east/west of p.
func scatter(p Point, radius float64) Point {
	return Offset(p, (rand.Float64()*2-1)*radius, (rand.Float64()*2-1)*radius)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
