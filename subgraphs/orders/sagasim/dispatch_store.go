package sagasim

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// DispatchStore is dispatch's PostgreSQL state in memory (app.Store): order references,
// restaurant locations, deliveries with their matching queue, drivers, the processed
// event ids and the outbox.
type DispatchStore struct {
	clock       *Clock
	refs        map[string]app.OrderRef
	requests    map[string]bool
	restaurants map[string]domain.Point
	deliveries  map[string]*deliveryRow
	ids         []string
	byOrder     map[string]string
	drivers     map[string]domain.Driver
	processed   map[string]bool
	outbox      *Outbox
	// plant is the planted bug of the run (Config.Plant), "" for none.
	plant string
}

type deliveryRow struct {
	d            *domain.Delivery
	createdAt    time.Time
	waitingSince time.Time
	nextMatchAt  time.Time
	lease        time.Time
	rounds       int
	escalated    bool
}

// NewDispatchStore is an empty dispatch database publishing through ob.
func NewDispatchStore(clock *Clock, ob *Outbox) *DispatchStore {
	return &DispatchStore{clock: clock, refs: map[string]app.OrderRef{}, requests: map[string]bool{}, restaurants: map[string]domain.Point{},
		deliveries: map[string]*deliveryRow{}, byOrder: map[string]string{}, drivers: map[string]domain.Driver{},
		processed: map[string]bool{}, outbox: ob}
}

type dispatchTx struct {
	s *DispatchStore
	j *journal
}

// Store is the store outside any transaction; Bound inside a consumer's.
func (s *DispatchStore) Store() app.Store                { return dispatchTx{s: s} }
func (s *DispatchStore) Bound(j *journal) app.Store      { return dispatchTx{s: s, j: j} }
func (s *DispatchStore) delivery(id string) *deliveryRow { return s.deliveries[id] }

func (t dispatchTx) in(fn func(j *journal) error) error {
	if t.j != nil {
		return fn(t.j)
	}
	j := &journal{}
	if err := fn(j); err != nil {
		j.rollback()
		return err
	}
	return nil
}

func cloneDelivery(d *domain.Delivery) *domain.Delivery {
	c := *d
	c.Timeline = slices.Clone(d.Timeline)
	return &c
}

func (t dispatchTx) SaveOrderRef(_ context.Context, ref app.OrderRef) error {
	return t.in(func(j *journal) error {
		if _, ok := t.s.refs[ref.OrderID]; !ok {
			setKey(j, t.s.refs, ref.OrderID, ref)
		}
		return nil
	})
}

func (t dispatchTx) SaveDeliveryRequest(_ context.Context, orderID string) error {
	if t.s.plant == "drop-early-acceptances" {
		return fmt.Errorf("delivery for order %s: order ref %s: %w", orderID, orderID, app.ErrNotFound) // planted bug
	}
	return t.in(func(j *journal) error { setKey(j, t.s.requests, orderID, true); return nil })
}

func (t dispatchTx) TakeDeliveryRequest(_ context.Context, orderID string) (bool, error) {
	had := false
	err := t.in(func(j *journal) error {
		if had = t.s.requests[orderID]; had {
			setKey(j, t.s.requests, orderID, false)
		}
		return nil
	})
	return had, err
}

func (t dispatchTx) TakeDeliveryRequestsOfRestaurant(_ context.Context, restaurantID string) ([]string, error) {
	var taken []string
	err := t.in(func(j *journal) error {
		for orderID, waiting := range t.s.requests {
			if ref, known := t.s.refs[orderID]; waiting && known && ref.RestaurantID == restaurantID {
				taken = append(taken, orderID)
			}
		}
		slices.Sort(taken) // the simulation replays a seed: no map order in its effects
		for _, orderID := range taken {
			setKey(j, t.s.requests, orderID, false)
		}
		return nil
	})
	return taken, err
}

func (t dispatchTx) OrderRef(_ context.Context, orderID string) (app.OrderRef, error) {
	r, ok := t.s.refs[orderID]
	if !ok {
		return app.OrderRef{}, fmt.Errorf("order ref %s: %w", orderID, app.ErrNotFound)
	}
	return r, nil
}

func (t dispatchTx) SaveRestaurantLocation(_ context.Context, restaurantID string, p domain.Point, _ time.Time) error {
	return t.in(func(j *journal) error { setKey(j, t.s.restaurants, restaurantID, p); return nil })
}

func (t dispatchTx) RestaurantLocation(_ context.Context, restaurantID string) (domain.Point, error) {
	p, ok := t.s.restaurants[restaurantID]
	if !ok {
		return domain.Point{}, fmt.Errorf("restaurant %s: %w", restaurantID, app.ErrNotFound)
	}
	return p, nil
}

func (t dispatchTx) CreateDelivery(_ context.Context, d *domain.Delivery, evs ...events.Envelope) (bool, error) {
	created := false
	err := t.in(func(j *journal) error {
		if _, ok := t.s.byOrder[d.OrderID]; ok {
			return nil
		}
		now := t.s.clock.Now()
		setKey(j, t.s.deliveries, d.ID, &deliveryRow{d: cloneDelivery(d), createdAt: now, waitingSince: now, nextMatchAt: now})
		setKey(j, t.s.byOrder, d.OrderID, d.ID)
		appendTo(j, &t.s.ids, d.ID)
		t.s.outbox.add(j, evs...)
		created = true
		return nil
	})
	return created, err
}

func (t dispatchTx) UpdateDelivery(_ context.Context, id string, fn func(d *domain.Delivery) ([]events.Envelope, error)) (*domain.Delivery, error) {
	var out *domain.Delivery
	err := t.in(func(j *journal) error {
		row, ok := t.s.deliveries[id]
		if !ok {
			return fmt.Errorf("delivery %s: %w", id, app.ErrNotFound)
		}
		d := cloneDelivery(row.d)
		evs, err := fn(d)
		if err != nil {
			return err
		}
		next := *row
		next.d = cloneDelivery(d)
		if d.Status == domain.DeliveryCreated && row.d.Status != domain.DeliveryCreated {
			now := t.s.clock.Now()
			next.rounds, next.nextMatchAt, next.lease, next.waitingSince = 0, now, time.Time{}, now
		}
		setKey(j, t.s.deliveries, id, &next)
		t.s.outbox.add(j, evs...)
		out = d
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update delivery %s: %w", id, err)
	}
	return out, nil
}

func (t dispatchTx) Delivery(_ context.Context, id string) (*domain.Delivery, error) {
	row, ok := t.s.deliveries[id]
	if !ok {
		return nil, fmt.Errorf("delivery %s: %w", id, app.ErrNotFound)
	}
	return cloneDelivery(row.d), nil
}

func (t dispatchTx) DeliveryByOrder(ctx context.Context, orderID string) (*domain.Delivery, error) {
	id, ok := t.s.byOrder[orderID]
	if !ok {
		return nil, fmt.Errorf("delivery of order %s: %w", orderID, app.ErrNotFound)
	}
	return t.Delivery(ctx, id)
}

// ClaimForMatching leases due waiting deliveries, oldest first. (The PostgreSQL query also
// pulls forward a waiting delivery older than a due one; the simulator's dispatch round
// claims one delivery at a time, so that fairness rule is not modelled.)
func (t dispatchTx) ClaimForMatching(_ context.Context, now time.Time, lease time.Duration, limit int) ([]app.MatchClaim, error) {
	var out []app.MatchClaim
	err := t.in(func(j *journal) error {
		for _, id := range t.s.ids {
			if len(out) >= limit {
				break
			}
			row := t.s.deliveries[id]
			if row.d.Status != domain.DeliveryCreated || row.escalated || row.lease.After(now) || row.nextMatchAt.After(now) {
				continue
			}
			next := *row
			next.lease = now.Add(lease)
			setKey(j, t.s.deliveries, id, &next)
			out = append(out, app.MatchClaim{Delivery: cloneDelivery(row.d), Rounds: row.rounds,
				CreatedAt: row.createdAt, WaitingSince: row.waitingSince})
		}
		return nil
	})
	return out, err
}

func (t dispatchTx) RescheduleMatching(_ context.Context, id string, rounds int, next time.Time, escalate bool, evs ...events.Envelope) error {
	return t.in(func(j *journal) error {
		row, ok := t.s.deliveries[id]
		if !ok {
			return fmt.Errorf("reschedule delivery %s: %w", id, app.ErrNotFound)
		}
		n := *row
		n.lease, n.rounds, n.nextMatchAt, n.escalated = time.Time{}, rounds, next, escalate
		setKey(j, t.s.deliveries, id, &n)
		t.s.outbox.add(j, evs...)
		return nil
	})
}

func (t dispatchTx) WakeWaiting(_ context.Context, area domain.BBox, now time.Time) (int, error) {
	n := 0
	err := t.in(func(j *journal) error {
		for _, id := range t.s.ids {
			row := t.s.deliveries[id]
			p := row.d.Pickup
			if row.d.Status != domain.DeliveryCreated || row.escalated || !row.nextMatchAt.After(now) ||
				p.Lat < area.MinLat || p.Lat > area.MaxLat || p.Lng < area.MinLng || p.Lng > area.MaxLng {
				continue
			}
			next := *row
			next.nextMatchAt = now
			setKey(j, t.s.deliveries, id, &next)
			n++
		}
		return nil
	})
	return n, err
}

func (t dispatchTx) SaveDriver(_ context.Context, d domain.Driver, _ domain.Point, _ time.Time) error {
	return t.in(func(j *journal) error { setKey(j, t.s.drivers, d.ID, d); return nil })
}

func (t dispatchTx) Driver(_ context.Context, id string) (domain.Driver, error) {
	d, ok := t.s.drivers[id]
	if !ok {
		return domain.Driver{}, fmt.Errorf("driver %s: %w", id, app.ErrNotFound)
	}
	return d, nil
}

// LiveIndex is dispatch's Redis live index in memory (app.LiveDrivers), with the Lua
// scripts' rules: an offer goes to an AVAILABLE driver for an order holding nothing,
// accept turns a live offer into ON_DELIVERY, finish and release free the driver.
// Best is empty: offers are made by the simulation's own offer step, which stands
// in for the matcher (whose offer round waits on wall-clock timers).
type LiveIndex struct {
	drivers map[string]*liveDriver
	holder  map[string]liveHold
}

type liveDriver struct {
	status     domain.DriverStatus
	at         domain.Point
	order      string
	offerUntil time.Time
	seen       time.Time
}

type liveHold struct {
	driver, state string
}

// NewLiveIndex is an empty live index.
func NewLiveIndex() *LiveIndex {
	return &LiveIndex{drivers: map[string]*liveDriver{}, holder: map[string]liveHold{}}
}

func (x *LiveIndex) Best(context.Context, domain.Point, int, int, func(string) bool) ([]domain.Candidate, int, error) {
	return nil, 1, nil
}

func (x *LiveIndex) Reserve(_ context.Context, orderID, driverID string, deadline time.Time) error {
	if _, held := x.holder[orderID]; held {
		return fmt.Errorf("reserve driver %s for order %s: %w", driverID, orderID, domain.ErrOrderHasOffer)
	}
	d, ok := x.drivers[driverID]
	if !ok || d.status != domain.DriverAvailable {
		return fmt.Errorf("reserve driver %s for order %s: %w", driverID, orderID, domain.ErrDriverBusy)
	}
	d.status, d.order, d.offerUntil = domain.DriverOffered, orderID, deadline
	x.holder[orderID] = liveHold{driver: driverID, state: "OFFERED"}
	return nil
}

func (x *LiveIndex) release(driverID string, d *liveDriver) {
	delete(x.holder, d.order)
	d.status, d.order, d.offerUntil = domain.DriverAvailable, "", time.Time{}
}

func (x *LiveIndex) Release(_ context.Context, orderID, driverID string) error {
	d, ok := x.drivers[driverID]
	if !ok || d.status != domain.DriverOffered || d.order != orderID {
		return fmt.Errorf("release order %s driver %s: %w", orderID, driverID, domain.ErrNoOffer)
	}
	x.release(driverID, d)
	return nil
}

func (x *LiveIndex) OrderHolder(_ context.Context, orderID string) (string, string, error) {
	h := x.holder[orderID]
	return h.driver, h.state, nil
}

func (x *LiveIndex) GoOnline(_ context.Context, driverID string, _ domain.Vehicle, p domain.Point, now time.Time) (domain.DriverStatus, error) {
	d, ok := x.drivers[driverID]
	if !ok {
		d = &liveDriver{status: domain.DriverOffline}
		x.drivers[driverID] = d
	}
	if d.status == domain.DriverOffline {
		d.status = domain.DriverAvailable
	}
	d.at, d.seen = p, now
	return d.status, nil
}

func (x *LiveIndex) GoOffline(_ context.Context, driverID string) error {
	d, ok := x.drivers[driverID]
	if !ok {
		return nil
	}
	if d.status == domain.DriverOffered || d.status == domain.DriverOnDelivery {
		return fmt.Errorf("driver %s is %s: %w", driverID, d.status, domain.ErrIllegalTransition)
	}
	d.status = domain.DriverOffline
	return nil
}

func (x *LiveIndex) Accept(_ context.Context, orderID, driverID string, now time.Time) error {
	d, ok := x.drivers[driverID]
	if !ok || d.status != domain.DriverOffered || d.order != orderID || d.offerUntil.Before(now) {
		return fmt.Errorf("accept order %s driver %s: %w", orderID, driverID, domain.ErrNoOffer)
	}
	d.status, d.offerUntil = domain.DriverOnDelivery, time.Time{}
	x.holder[orderID] = liveHold{driver: driverID, state: "ASSIGNED"}
	return nil
}

func (x *LiveIndex) Finish(_ context.Context, orderID, driverID string) error {
	d, ok := x.drivers[driverID]
	if !ok || d.status != domain.DriverOnDelivery || d.order != orderID {
		return fmt.Errorf("finish order %s driver %s: %w", orderID, driverID, domain.ErrNotYourDelivery)
	}
	x.release(driverID, d)
	return nil
}

func (x *LiveIndex) Driver(_ context.Context, driverID string) (domain.LiveDriver, error) {
	d, ok := x.drivers[driverID]
	if !ok {
		return domain.LiveDriver{Status: domain.DriverOffline}, nil
	}
	return domain.LiveDriver{Status: d.status, At: d.at, OrderID: d.order, LastSeen: d.seen}, nil
}

// Known is what the index knows of the driver (dispatch replicas answer it from memory;
// the simulation has one index, so it knows every driver that went online).
func (x *LiveIndex) Known(driverID string) (domain.LiveDriver, bool) {
	d, ok := x.drivers[driverID]
	if !ok {
		return domain.LiveDriver{}, false
	}
	return domain.LiveDriver{Status: d.status, At: d.at, OrderID: d.order, LastSeen: d.seen, OfferUntil: d.offerUntil}, true
}

// Sweep releases offers past their deadline (the live index's sweeper).
func (x *LiveIndex) Sweep(now time.Time, ids []string) int {
	n := 0
	for _, id := range ids {
		d := x.drivers[id]
		if d != nil && d.status == domain.DriverOffered && d.offerUntil.Before(now) {
			x.release(id, d)
			n++
		}
	}
	return n
}

// Publish adds evs to the outbox in a transaction of their own, as the PostgreSQL store
// does (an offer changes none of dispatch's tables), whatever transaction t is bound to.
func (t dispatchTx) Publish(_ context.Context, evs ...events.Envelope) error {
	return dispatchTx{s: t.s}.in(func(j *journal) error {
		t.s.outbox.add(j, evs...)
		return nil
	})
}
