package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// Application is dispatch's use cases.
type Application struct {
	store     Store
	live      LiveDrivers
	matcher   *Matcher
	fixes     LocationPublisher
	announcer DeliveryAnnouncer
	metrics   Metrics
	cfg       Config
	now       func() time.Time
	logger    *slog.Logger
	history   DeliveryHistory
	// wake nudges this process's dispatcher to run a round now (see courierFreed); one
	// slot, so nudges arriving during a round collapse into one more round.
	wake chan struct{}
}

// Config tunes the application.
type Config struct {
	Match MatchConfig
	// RoundBackoff is the wait after a delivery's first fruitless round, doubled after
	// each further one up to MaxRoundBackoff: bounded, so a driver who frees up finds a
	// waiting order within MaxRoundBackoff even when no younger order pulls it forward.
	RoundBackoff, MaxRoundBackoff time.Duration
	// MatchPatience is how long a delivery may wait for a driver (since it last entered
	// CREATED) before the dispatcher escalates it; rounds do not count, since a waiting
	// order is also tried whenever a younger one is.
	MatchPatience time.Duration
	// MatchLease is how long a claimed delivery stays with one dispatcher; it must
	// outlast a round (candidates × offer timeout is bounded by it).
	MatchLease time.Duration
}

// DefaultConfig is what production runs.
func DefaultConfig() Config {
	m := DefaultMatchConfig()
	m.Attempts = 1 // the dispatcher owns retries (durably, in PostgreSQL)
	return Config{Match: m, RoundBackoff: 5 * time.Second, MaxRoundBackoff: 30 * time.Second,
		MatchPatience: 10 * time.Minute, MatchLease: 10 * time.Minute}
}

// RetryAfter is the pause after a delivery's rounds-th fruitless round.
func (c Config) RetryAfter(rounds int) time.Duration {
	if rounds < 1 || c.RoundBackoff <= 0 {
		return max(c.RoundBackoff, 0)
	}
	d := c.RoundBackoff
	for i := 1; i < rounds && d < c.MaxRoundBackoff; i++ {
		d *= 2
	}
	return min(d, c.MaxRoundBackoff)
}

// Option adds an optional dependency.
type Option func(*Application)

// WithLocationPublisher publishes every accepted position fix to driver.location.
func WithLocationPublisher(p LocationPublisher) Option {
	return func(a *Application) { a.fixes = p }
}

// WithDeliveryAnnouncer announces every delivery status change to live trackers.
func WithDeliveryAnnouncer(x DeliveryAnnouncer) Option {
	return func(a *Application) { a.announcer = x }
}

// announce tells live trackers where orderID's delivery stands now.
func (a *Application) announce(ctx context.Context, orderID string, status domain.DeliveryStatus) {
	if a.announcer != nil {
		a.announcer.AnnounceDelivery(ctx, orderID, status)
	}
}

// WithMetrics records matching's latency in m.
func WithMetrics(m Metrics) Option {
	return func(a *Application) { a.metrics = m }
}

// New checks its dependencies.
func New(store Store, live LiveDrivers, cfg Config, logger *slog.Logger, opts ...Option) (*Application, error) {
	if store == nil || live == nil {
		return nil, errors.New("dispatch app: store and live index are required")
	}
	if cfg.RoundBackoff < 0 || cfg.MaxRoundBackoff < cfg.RoundBackoff || cfg.MatchPatience <= 0 || cfg.MatchLease <= 0 {
		return nil, fmt.Errorf("dispatch app: bad config %+v", cfg)
	}
	if logger == nil {
		logger = slog.Default()
	}
	m, err := NewMatcher(live, cfg.Match, logger)
	if err != nil {
		return nil, err
	}
	a := &Application{store: store, live: live, matcher: m, metrics: noMetrics{}, cfg: cfg, now: time.Now, logger: logger, wake: make(chan struct{}, 1)}
	for _, o := range opts {
		o(a)
	}
	return a, nil
}

// Store is the durable state (queries read it directly).
func (a *Application) Store() Store { return a.store }

// GoOnline makes the driver available for offers at p.
func (a *Application) GoOnline(ctx context.Context, driverID string, v domain.Vehicle, p domain.Point) (domain.Driver, error) {
	if !p.Valid() {
		return domain.Driver{}, fmt.Errorf("go online at %v: %w", p, ErrBadLocation)
	}
	now := a.now()
	st, err := a.live.GoOnline(ctx, driverID, v, p, now)
	if err != nil {
		return domain.Driver{}, err
	}
	d := domain.Driver{ID: driverID, UserID: driverID, Vehicle: v, Status: st}
	if err := a.store.SaveDriver(ctx, d, p, now); err != nil {
		return domain.Driver{}, err
	}
	if st == domain.DriverAvailable {
		a.courierFreed(ctx, driverID, p)
	}
	return d, nil
}

// ErrBadLocation: a coordinate off the globe.
var ErrBadLocation = errors.New("not a valid location")

// GoOffline takes the driver out of matching (refused while holding an offer or delivery).
func (a *Application) GoOffline(ctx context.Context, driverID string) (domain.Driver, error) {
	if err := a.live.GoOffline(ctx, driverID); err != nil {
		return domain.Driver{}, err
	}
	d, err := a.store.Driver(ctx, driverID)
	if err != nil {
		return domain.Driver{}, err
	}
	d.Status = domain.DriverOffline
	return d, a.store.SaveDriver(ctx, d, domain.Point{}, time.Time{})
}

// ErrNoLocationStream: the application was built without a driver.location publisher,
// so a position fix would reach nobody.
var ErrNoLocationStream = errors.New("no driver.location stream")

// UpdateLocation is the high-rate path: validate, append the fix to driver.location,
// return. Nothing is written to Redis or PostgreSQL: this replica's index takes the fix
// at once (the stream hands it over as it is published), every other replica's reads it
// from the stream, and through them the tracking and live-map subscribers. The driver
// must be online: this replica's index knows that without a network call; only a
// driver it has not heard of yet (just online on another replica) costs one Redis read.
func (a *Application) UpdateLocation(ctx context.Context, driverID string, p domain.Point) (domain.LiveDriver, error) {
	if !p.Valid() {
		return domain.LiveDriver{}, fmt.Errorf("location %v: %w", p, ErrBadLocation)
	}
	if a.fixes == nil {
		return domain.LiveDriver{}, ErrNoLocationStream
	}
	live, ok := a.live.Known(driverID)
	if !ok || live.Status == domain.DriverOffline {
		var err error
		if live, err = a.live.Driver(ctx, driverID); err != nil {
			return domain.LiveDriver{}, err
		}
	}
	if live.Status == domain.DriverOffline {
		return domain.LiveDriver{Status: domain.DriverOffline}, fmt.Errorf("driver %s location: %w", driverID, domain.ErrDriverOffline)
	}
	now := a.now()
	a.fixes.Publish(ctx, contracts.DriverLocationV1{DriverID: driverID, Lat: p.Lat, Lng: p.Lng, OrderID: live.OrderID, RecordedAt: now.UTC()})
	return domain.LiveDriver{Status: live.Status, At: p, OrderID: live.OrderID, LastSeen: now, Vehicle: live.Vehicle}, nil
}

// Driver is a driver with its live state folded in.
func (a *Application) Driver(ctx context.Context, driverID string) (domain.Driver, domain.LiveDriver, error) {
	d, err := a.store.Driver(ctx, driverID)
	if err != nil {
		return domain.Driver{}, domain.LiveDriver{}, err
	}
	live, err := a.live.Driver(ctx, driverID)
	if err != nil {
		return domain.Driver{}, domain.LiveDriver{}, err
	}
	d.Status, d.OrderID = live.Status, live.OrderID
	return d, live, nil
}

// PendingOffer is the offer a driver holds and has not answered yet.
type PendingOffer struct {
	OrderID string
	Until   time.Time
	// Delivery is the offered order's delivery (nil if it cannot be read).
	Delivery *domain.Delivery
}

// CurrentOffer returns the driver's live offer, or nil when the driver holds none (or it
// has lapsed and awaits the sweep). A restarted driver app finds its offer here.
func (a *Application) CurrentOffer(ctx context.Context, driverID string) (*PendingOffer, error) {
	live, err := a.live.Driver(ctx, driverID)
	if err != nil {
		return nil, err
	}
	if live.Status != domain.DriverOffered || live.OrderID == "" || !live.OfferUntil.After(a.now()) {
		return nil, nil
	}
	o := &PendingOffer{OrderID: live.OrderID, Until: live.OfferUntil}
	if d, err := a.store.DeliveryByOrder(ctx, live.OrderID); err == nil {
		o.Delivery = d
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return o, nil
}

// CurrentDelivery returns the delivery the driver is carrying out (assigned to them and
// not yet delivered or cancelled), or nil. A restarted driver app finds its work here.
func (a *Application) CurrentDelivery(ctx context.Context, driverID string) (*domain.Delivery, error) {
	live, err := a.live.Driver(ctx, driverID)
	if err != nil {
		return nil, err
	}
	if live.Status != domain.DriverOnDelivery || live.OrderID == "" {
		return nil, nil
	}
	d, err := a.store.DeliveryByOrder(ctx, live.OrderID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if d.DriverID != driverID || d.Status.Terminal() {
		return nil, nil
	}
	return d, nil
}

// AcceptOffer turns the driver's live offer for orderID into the order's delivery.
func (a *Application) AcceptOffer(ctx context.Context, driverID, orderID string) (*domain.Delivery, error) {
	now := a.now()
	if err := a.live.Accept(ctx, orderID, driverID, now); err != nil {
		return nil, err
	}
	return a.confirm(ctx, orderID, driverID, now)
}

// confirm records an accepted offer in PostgreSQL with dispatch.assigned. Idempotent: the
// dispatcher calls it too when it finds an order the live index says is assigned.
func (a *Application) confirm(ctx context.Context, orderID, driverID string, now time.Time) (*domain.Delivery, error) {
	d, err := a.store.DeliveryByOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	d, err = a.store.UpdateDelivery(ctx, d.ID, func(d *domain.Delivery) ([]events.Envelope, error) {
		if d.DriverID == driverID && d.Status != domain.DeliveryCreated {
			return nil, nil
		}
		live, err := a.live.Driver(ctx, driverID)
		if err != nil {
			return nil, err
		}
		eta := now.Add(domain.TravelTime(live.At, d.Pickup, a.vehicleOf(ctx, driverID)))
		if err := d.Assign(driverID, eta, now); err != nil {
			return nil, err
		}
		d.DropoffETA = eta.Add(domain.TravelTime(d.Pickup, d.Dropoff, a.vehicleOf(ctx, driverID)))
		assigned, err := events.New(ctx, Source, d.OrderID, contracts.DispatchAssignedV1{
			OrderID: d.OrderID, DriverID: driverID, RestaurantID: d.RestaurantID, PickupETA: eta, AssignedAt: now,
		})
		if err != nil {
			return nil, err
		}
		changed, err := statusEvent(ctx, d)
		if err != nil {
			return nil, err
		}
		return append([]events.Envelope{assigned}, changed...), nil
	})
	if err == nil {
		a.announce(ctx, d.OrderID, d.Status)
	}
	return d, err
}

func (a *Application) vehicleOf(ctx context.Context, driverID string) domain.Vehicle {
	if d, err := a.store.Driver(ctx, driverID); err == nil {
		return d.Vehicle
	}
	return domain.VehicleScooter
}

// DeclineOffer hands the offer back; matching moves on to the next driver.
func (a *Application) DeclineOffer(ctx context.Context, driverID, orderID string) error {
	return a.live.Release(ctx, orderID, driverID)
}

// Advance moves the driver's own delivery forward (picked up, delivered, ...). Delivered
// frees the driver for the next offer.
func (a *Application) Advance(ctx context.Context, driverID, deliveryID string, to domain.DeliveryStatus) (*domain.Delivery, error) {
	now := a.now()
	d, err := a.store.UpdateDelivery(ctx, deliveryID, func(d *domain.Delivery) ([]events.Envelope, error) {
		if err := d.Advance(to, driverID, now); err != nil {
			return nil, err
		}
		return statusEvent(ctx, d)
	})
	if err != nil {
		return nil, err
	}
	a.announce(ctx, d.OrderID, d.Status)
	if to == domain.DeliveryDelivered {
		if err := a.live.Finish(ctx, d.OrderID, driverID); err != nil && !errors.Is(err, domain.ErrNotYourDelivery) {
			return d, err
		}
		a.courierFreed(ctx, driverID, domain.Point{})
	}
	return d, nil
}

// Unassign hands the driver's delivery back before pickup: it returns to CREATED, is
// queued for matching afresh and the driver is available again.
func (a *Application) Unassign(ctx context.Context, driverID, deliveryID string) (*domain.Delivery, error) {
	d, err := a.store.UpdateDelivery(ctx, deliveryID, func(d *domain.Delivery) ([]events.Envelope, error) {
		if d.DriverID == "" || d.DriverID != driverID {
			return nil, fmt.Errorf("unassign delivery %s: %w", d.ID, domain.ErrNotYourDelivery)
		}
		now := a.now()
		if err := d.Unassign(now, "driver:"+driverID); err != nil {
			return nil, err
		}
		changed, err := statusEvent(ctx, d)
		if err != nil {
			return nil, err
		}
		// delivery.status.changed no longer names the driver (the delivery has none now):
		// dispatch.unassigned tells who was let go.
		unassigned, err := events.New(ctx, Source, d.OrderID, contracts.DispatchUnassignedV1{DeliveryID: d.ID,
			OrderID: d.OrderID, DriverID: driverID, Actor: "driver:" + driverID, UnassignedAt: now.UTC()})
		if err != nil {
			return nil, err
		}
		return append(changed, unassigned), nil
	})
	if err != nil {
		return nil, err
	}
	a.announce(ctx, d.OrderID, d.Status)
	if err := a.live.Finish(ctx, d.OrderID, driverID); err != nil && !errors.Is(err, domain.ErrNotYourDelivery) {
		return d, err
	}
	a.courierFreed(ctx, driverID, domain.Point{})
	return d, nil
}

// CancelDelivery is operations stopping a delivery (before pickup) and freeing its driver.
func (a *Application) CancelDelivery(ctx context.Context, adminID, deliveryID string) (*domain.Delivery, error) {
	d, err := a.store.Delivery(ctx, deliveryID)
	if err != nil {
		return nil, err
	}
	if err := a.cancelDelivery(ctx, a.store, d.OrderID, "admin:"+adminID); err != nil {
		return nil, err
	}
	return a.store.Delivery(ctx, deliveryID)
}
