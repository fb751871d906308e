package adapters

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// db is what both a pool and a transaction offer; Begin on a transaction is a savepoint,
// so Store works the same on its own and inside a consumer's transaction.
type db interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store is dispatch's PostgreSQL state: drivers, deliveries (also the matching queue),
// what it learned from other subgraphs, and the outbox.
type Store struct {
	db     db
	outbox *outbox.Outbox
}

// NewStore works through pool or tx (a *pgxpool.Pool or a pgx.Tx).
func NewStore(conn db, ob *outbox.Outbox) *Store { return &Store{db: conn, outbox: ob} }

// WithTx is the same store inside tx.
func (s *Store) WithTx(tx pgx.Tx) *Store { return &Store{db: tx, outbox: s.outbox} }

var _ app.Store = (*Store)(nil)

func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, app.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// SaveDeliveryRequest records an acceptance that arrived before order.created.
func (s *Store) SaveDeliveryRequest(ctx context.Context, orderID string) error {
	if _, err := s.db.Exec(ctx, `INSERT INTO delivery_requests (order_id) VALUES ($1) ON CONFLICT (order_id) DO NOTHING`, orderID); err != nil {
		return fmt.Errorf("save delivery request %s: %w", orderID, err)
	}
	return nil
}

// TakeDeliveryRequest deletes the order's waiting acceptance and reports whether there was one.
func (s *Store) TakeDeliveryRequest(ctx context.Context, orderID string) (bool, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM delivery_requests WHERE order_id = $1`, orderID)
	if err != nil {
		return false, fmt.Errorf("take delivery request %s: %w", orderID, err)
	}
	return tag.RowsAffected() > 0, nil
}

// TakeDeliveryRequestsOfRestaurant deletes the waiting acceptances of the restaurant's
// known orders and returns their ids, oldest order first.
func (s *Store) TakeDeliveryRequestsOfRestaurant(ctx context.Context, restaurantID string) ([]string, error) {
	type waiting struct {
		OrderID     string
		RequestedAt time.Time
	}
	rows, err := s.db.Query(ctx, `DELETE FROM delivery_requests r USING order_refs o
		WHERE o.order_id = r.order_id AND o.restaurant_id = $1 RETURNING r.order_id, r.requested_at`, restaurantID)
	if err != nil {
		return nil, fmt.Errorf("take delivery requests of restaurant %s: %w", restaurantID, err)
	}
	taken, err := pgx.CollectRows(rows, pgx.RowToStructByPos[waiting])
	if err != nil {
		return nil, fmt.Errorf("take delivery requests of restaurant %s: %w", restaurantID, err)
	}
	slices.SortFunc(taken, func(a, b waiting) int {
		return cmp.Or(a.RequestedAt.Compare(b.RequestedAt), cmp.Compare(a.OrderID, b.OrderID))
	})
	ids := make([]string, len(taken))
	for i, w := range taken {
		ids[i] = w.OrderID
	}
	return ids, nil
}

// SaveOrderRef upserts what order.created said.
func (s *Store) SaveOrderRef(ctx context.Context, r app.OrderRef) error {
	_, err := s.db.Exec(ctx, `INSERT INTO order_refs (order_id, customer_id, restaurant_id, dropoff_lat, dropoff_lng)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING`,
		r.OrderID, r.CustomerID, r.RestaurantID, r.Dropoff.Lat, r.Dropoff.Lng)
	if err != nil {
		return fmt.Errorf("save order ref %s: %w", r.OrderID, err)
	}
	return nil
}

// OrderRef reads an order reference.
func (s *Store) OrderRef(ctx context.Context, orderID string) (app.OrderRef, error) {
	r := app.OrderRef{OrderID: orderID}
	err := s.db.QueryRow(ctx, `SELECT customer_id, restaurant_id, dropoff_lat, dropoff_lng FROM order_refs WHERE order_id = $1`, orderID).
		Scan(&r.CustomerID, &r.RestaurantID, &r.Dropoff.Lat, &r.Dropoff.Lng)
	if err != nil {
		return app.OrderRef{}, notFound(err, "order ref "+orderID)
	}
	return r, nil
}

// SaveRestaurantLocation keeps the newest location per restaurant.
func (s *Store) SaveRestaurantLocation(ctx context.Context, restaurantID string, p domain.Point, at time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO restaurant_locations (restaurant_id, lat, lng, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (restaurant_id) DO UPDATE SET lat = EXCLUDED.lat, lng = EXCLUDED.lng, updated_at = EXCLUDED.updated_at
		WHERE restaurant_locations.updated_at <= EXCLUDED.updated_at`, restaurantID, p.Lat, p.Lng, at)
	if err != nil {
		return fmt.Errorf("save restaurant %s location: %w", restaurantID, err)
	}
	return nil
}

// RestaurantLocation reads a restaurant's location.
func (s *Store) RestaurantLocation(ctx context.Context, restaurantID string) (domain.Point, error) {
	var p domain.Point
	err := s.db.QueryRow(ctx, `SELECT lat, lng FROM restaurant_locations WHERE restaurant_id = $1`, restaurantID).Scan(&p.Lat, &p.Lng)
	if err != nil {
		return domain.Point{}, notFound(err, "restaurant location "+restaurantID)
	}
	return p, nil
}

// Publish adds evs to the outbox in a transaction of their own.
func (s *Store) Publish(ctx context.Context, evs ...events.Envelope) error {
	if len(evs) == 0 {
		return nil
	}
	if err := s.inTx(ctx, func(tx pgx.Tx) error { return s.outbox.Add(ctx, tx, evs...) }); err != nil {
		return fmt.Errorf("publish %d events: %w", len(evs), err)
	}
	return nil
}

// CreateDelivery inserts d (with its first transition) and evs, unless the order already
// has a delivery.
func (s *Store) CreateDelivery(ctx context.Context, d *domain.Delivery, evs ...events.Envelope) (bool, error) {
	created := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO deliveries (id, order_id, customer_id, restaurant_id, pickup_lat, pickup_lng,
			dropoff_lat, dropoff_lng, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (order_id) DO NOTHING`,
			d.ID, d.OrderID, d.CustomerID, d.RestaurantID, d.Pickup.Lat, d.Pickup.Lng, d.Dropoff.Lat, d.Dropoff.Lng, string(d.Status))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		created = true
		if err := insertTransitions(ctx, tx, d.ID, 0, d.Timeline); err != nil {
			return err
		}
		return s.outbox.Add(ctx, tx, evs...)
	})
	if err != nil {
		return false, fmt.Errorf("create delivery %s: %w", d.ID, err)
	}
	return created, nil
}

func insertTransitions(ctx context.Context, tx pgx.Tx, id string, from int, ts []domain.Transition) error {
	for i := from; i < len(ts); i++ {
		t := ts[i]
		var fromStatus *string
		if t.From != "" {
			f := string(t.From)
			fromStatus = &f
		}
		if _, err := tx.Exec(ctx, `INSERT INTO delivery_transitions (delivery_id, seq, from_status, to_status, at, actor)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, i, fromStatus, string(t.To), t.At, t.Actor); err != nil {
			return err
		}
	}
	return nil
}

const deliveryColumns = `id, order_id, customer_id, restaurant_id, pickup_lat, pickup_lng, dropoff_lat, dropoff_lng,
	coalesce(driver_id, ''), status, pickup_eta, dropoff_eta`

func scanDelivery(row pgx.Row) (*domain.Delivery, error) {
	var d domain.Delivery
	var status string
	var pickupETA, dropoffETA *time.Time
	if err := row.Scan(&d.ID, &d.OrderID, &d.CustomerID, &d.RestaurantID, &d.Pickup.Lat, &d.Pickup.Lng,
		&d.Dropoff.Lat, &d.Dropoff.Lng, &d.DriverID, &status, &pickupETA, &dropoffETA); err != nil {
		return nil, err
	}
	d.Status = domain.DeliveryStatus(status)
	if pickupETA != nil {
		d.PickupETA = *pickupETA
	}
	if dropoffETA != nil {
		d.DropoffETA = *dropoffETA
	}
	return &d, nil
}

func (s *Store) loadTimeline(ctx context.Context, q db, d *domain.Delivery) error {
	rows, err := q.Query(ctx, `SELECT coalesce(from_status, ''), to_status, at, actor FROM delivery_transitions
		WHERE delivery_id = $1 ORDER BY seq`, d.ID)
	if err != nil {
		return err
	}
	d.Timeline, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Transition, error) {
		var t domain.Transition
		var from, to string
		err := r.Scan(&from, &to, &t.At, &t.Actor)
		t.From, t.To = domain.DeliveryStatus(from), domain.DeliveryStatus(to)
		return t, err
	})
	return err
}

// UpdateDelivery locks the delivery row, applies fn and writes the change, its new
// transitions and fn's events in one transaction.
func (s *Store) UpdateDelivery(ctx context.Context, id string, fn func(d *domain.Delivery) ([]events.Envelope, error)) (*domain.Delivery, error) {
	var out *domain.Delivery
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		d, err := scanDelivery(tx.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFound(err, "delivery "+id)
		}
		if err := s.loadTimeline(ctx, tx, d); err != nil {
			return err
		}
		before := len(d.Timeline)
		evs, err := fn(d)
		if err != nil {
			return err
		}
		var driver *string
		if d.DriverID != "" {
			driver = &d.DriverID
		}
		// A delivery back in CREATED (its driver unassigned) is due for matching now,
		// with a fresh round count, a fresh wait and no lease left over from the round
		// that matched it. It keeps its created_at, so it keeps its place in the queue.
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET driver_id = $2, status = $3, pickup_eta = $4, dropoff_eta = $5,
			match_rounds = CASE WHEN $3 = 'CREATED' AND status <> 'CREATED' THEN 0 ELSE match_rounds END,
			next_match_at = CASE WHEN $3 = 'CREATED' AND status <> 'CREATED' THEN now() ELSE next_match_at END,
			match_lease = CASE WHEN $3 = 'CREATED' AND status <> 'CREATED' THEN NULL ELSE match_lease END,
			waiting_since = CASE WHEN $3 = 'CREATED' AND status <> 'CREATED' THEN now() ELSE waiting_since END,
			updated_at = now() WHERE id = $1`, d.ID, driver, string(d.Status), nullTime(d.PickupETA), nullTime(d.DropoffETA)); err != nil {
			return err
		}
		if err := insertTransitions(ctx, tx, d.ID, before, d.Timeline); err != nil {
			return err
		}
		out = d
		return s.outbox.Add(ctx, tx, evs...)
	})
	if err != nil {
		return nil, fmt.Errorf("update delivery %s: %w", id, err)
	}
	return out, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Delivery reads one delivery with its timeline.
func (s *Store) Delivery(ctx context.Context, id string) (*domain.Delivery, error) {
	return s.readDelivery(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1`, id)
}

// DeliveriesOf lists a courier's deliveries, the most recently changed first (the
// deliveries_by_driver index finds them).
func (s *Store) DeliveriesOf(ctx context.Context, driverID string, limit int) ([]*domain.Delivery, error) {
	rows, err := s.db.Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE driver_id = $1 ORDER BY updated_at DESC, id LIMIT $2`, driverID, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries of %s: %w", driverID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Delivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("deliveries of %s: %w", driverID, err)
	}
	for _, d := range out {
		if err := s.loadTimeline(ctx, s.db, d); err != nil {
			return nil, fmt.Errorf("delivery %s timeline: %w", d.ID, err)
		}
	}
	return out, nil
}

// DeliveryByOrder reads the delivery of an order.
func (s *Store) DeliveryByOrder(ctx context.Context, orderID string) (*domain.Delivery, error) {
	return s.readDelivery(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE order_id = $1`, orderID)
}

func (s *Store) readDelivery(ctx context.Context, sql, key string) (*domain.Delivery, error) {
	d, err := scanDelivery(s.db.QueryRow(ctx, sql, key))
	if err != nil {
		return nil, notFound(err, "delivery "+key)
	}
	if err := s.loadTimeline(ctx, s.db, d); err != nil {
		return nil, fmt.Errorf("delivery %s timeline: %w", key, err)
	}
	return d, nil
}

// claimForMatching leases waiting deliveries oldest first: those due, and any older one
// that has not had a round since a younger one fell due. So a delivery waiting out its
// retry backoff is never overtaken by a younger order (the oldest gets the first pick of
// a driver who frees up), yet gets one round per such chance, not one per tick: the
// younger order is not starved behind a long queue either. SKIP LOCKED and the lease
// let replicas share the queue; $1 is now, also recorded as the round's start.
const claimForMatching = `UPDATE deliveries SET match_lease = $2, last_round_at = $1 WHERE id IN (
		SELECT d.id FROM deliveries d WHERE d.status = 'CREATED' AND d.escalated_at IS NULL
		AND (d.match_lease IS NULL OR d.match_lease < $1)
		AND (d.next_match_at <= $1 OR EXISTS (
			SELECT 1 FROM deliveries y WHERE y.status = 'CREATED' AND y.escalated_at IS NULL
			AND (y.match_lease IS NULL OR y.match_lease < $1) AND y.next_match_at <= $1
			AND y.created_at > d.created_at AND (d.last_round_at IS NULL OR d.last_round_at < y.next_match_at)))
		ORDER BY d.created_at, d.id LIMIT $3 FOR UPDATE OF d SKIP LOCKED)
	RETURNING ` + deliveryColumns + `, match_rounds, waiting_since, created_at`

// ClaimForMatching leases up to limit waiting deliveries, oldest first (claimForMatching).
func (s *Store) ClaimForMatching(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]app.MatchClaim, error) {
	rows, err := s.db.Query(ctx, claimForMatching, now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	claims, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (app.MatchClaim, error) {
		var d domain.Delivery
		var status string
		var pickupETA, dropoffETA *time.Time
		var c app.MatchClaim
		err := r.Scan(&d.ID, &d.OrderID, &d.CustomerID, &d.RestaurantID, &d.Pickup.Lat, &d.Pickup.Lng,
			&d.Dropoff.Lat, &d.Dropoff.Lng, &d.DriverID, &status, &pickupETA, &dropoffETA, &c.Rounds, &c.WaitingSince, &c.CreatedAt)
		d.Status = domain.DeliveryStatus(status)
		c.Delivery = &d
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	// RETURNING does not keep the subquery's order.
	slices.SortFunc(claims, func(a, b app.MatchClaim) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Delivery.ID, b.Delivery.ID))
	})
	return claims, nil
}

// RescheduleMatching ends the lease and records the rounds, the next due time (or the
// wake's, when a courier freed up during the round: WakeWaiting) or the escalation, with
// evs.
func (s *Store) RescheduleMatching(ctx context.Context, id string, rounds int, next time.Time, escalate bool, evs ...events.Envelope) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var escalatedAt *time.Time
		if escalate {
			now := time.Now()
			escalatedAt = &now
		}
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET match_lease = NULL, match_rounds = $2,
			next_match_at = CASE WHEN woken_at > last_round_at THEN least($3, woken_at) ELSE $3 END,
			escalated_at = $4, updated_at = now() WHERE id = $1`, id, rounds, next, escalatedAt); err != nil {
			return err
		}
		return s.outbox.Add(ctx, tx, evs...)
	})
	if err != nil {
		return fmt.Errorf("reschedule delivery %s: %w", id, err)
	}
	return nil
}

// WakeWaiting brings forward waiting deliveries picked up in area (see app.Store). One
// whose round is running (leased) is marked woken: RescheduleMatching then keeps it due
// instead of backing it off.
func (s *Store) WakeWaiting(ctx context.Context, area domain.BBox, now time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `UPDATE deliveries SET next_match_at = least(next_match_at, $1), woken_at = $1
		WHERE status = 'CREATED' AND escalated_at IS NULL
		AND (next_match_at > $1 OR match_lease >= $1)
		AND pickup_lat BETWEEN $2 AND $3 AND pickup_lng BETWEEN $4 AND $5`,
		now, area.MinLat, area.MaxLat, area.MinLng, area.MaxLng)
	if err != nil {
		return 0, fmt.Errorf("wake deliveries near %+v: %w", area, err)
	}
	return int(tag.RowsAffected()), nil
}

// SaveDriver upserts the driver's profile and last status; an invalid at keeps the
// last known position.
func (s *Store) SaveDriver(ctx context.Context, d domain.Driver, at domain.Point, seen time.Time) error {
	var lat, lng *float64
	var seenAt *time.Time
	if at.Valid() {
		lat, lng, seenAt = &at.Lat, &at.Lng, &seen
	}
	_, err := s.db.Exec(ctx, `INSERT INTO drivers (id, vehicle, status, last_lat, last_lng, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET vehicle = EXCLUDED.vehicle, status = EXCLUDED.status,
		last_lat = coalesce(EXCLUDED.last_lat, drivers.last_lat), last_lng = coalesce(EXCLUDED.last_lng, drivers.last_lng),
		last_seen_at = coalesce(EXCLUDED.last_seen_at, drivers.last_seen_at), updated_at = now()`,
		d.ID, string(d.Vehicle), string(d.Status), lat, lng, seenAt)
	if err != nil {
		return fmt.Errorf("save driver %s: %w", d.ID, err)
	}
	return nil
}

// Driver reads a driver's profile and last written status.
func (s *Store) Driver(ctx context.Context, id string) (domain.Driver, error) {
	d := domain.Driver{ID: id, UserID: id}
	var vehicle, status string
	if err := s.db.QueryRow(ctx, `SELECT vehicle, status FROM drivers WHERE id = $1`, id).Scan(&vehicle, &status); err != nil {
		return domain.Driver{}, notFound(err, "driver "+id)
	}
	d.Vehicle, d.Status = domain.Vehicle(vehicle), domain.DriverStatus(status)
	return d, nil
}
