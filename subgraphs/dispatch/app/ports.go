package app

import (
	"context"
	"errors"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// ErrNotFound: no such driver, delivery or order reference.
var ErrNotFound = errors.New("not found")

// OrderRef is what dispatch knows of an order from order.created.
type OrderRef struct {
	OrderID      string
	CustomerID   string
	RestaurantID string
	Dropoff      domain.Point
}

// Store is dispatch's durable state (adapters.Store over PostgreSQL). Events passed to
// it are written to the outbox in the same transaction as the change they describe.
type Store interface {
	SaveOrderRef(ctx context.Context, ref OrderRef) error
	OrderRef(ctx context.Context, orderID string) (OrderRef, error)
	// SaveDeliveryRequest remembers that orderID was accepted before its order.created
	// arrived; TakeDeliveryRequest removes the request and reports whether there was one.
	SaveDeliveryRequest(ctx context.Context, orderID string) error
	TakeDeliveryRequest(ctx context.Context, orderID string) (bool, error)
	// TakeDeliveryRequestsOfRestaurant removes the waiting requests of restaurantID's
	// orders whose order.created has arrived (they waited for its location) and returns
	// their order ids.
	TakeDeliveryRequestsOfRestaurant(ctx context.Context, restaurantID string) ([]string, error)
	SaveRestaurantLocation(ctx context.Context, restaurantID string, p domain.Point, at time.Time) error
	RestaurantLocation(ctx context.Context, restaurantID string) (domain.Point, error)

	// CreateDelivery inserts d unless the order already has a delivery (false then).
	CreateDelivery(ctx context.Context, d *domain.Delivery, evs ...events.Envelope) (bool, error)
	// UpdateDelivery locks the delivery, lets fn change it and name the events the change
	// emits, and commits both; fn's error rolls everything back.
	UpdateDelivery(ctx context.Context, id string, fn func(d *domain.Delivery) ([]events.Envelope, error)) (*domain.Delivery, error)
	Delivery(ctx context.Context, id string) (*domain.Delivery, error)
	DeliveryByOrder(ctx context.Context, orderID string) (*domain.Delivery, error)
	// ClaimForMatching leases up to limit CREATED deliveries for matching, oldest first:
	// those due, and any older than a due one (a younger order never overtakes an older
	// one that is waiting out its retry backoff).
	ClaimForMatching(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]MatchClaim, error)
	// RescheduleMatching records the rounds done so far and when the next one is due; when
	// escalate, none is (the delivery waits for operations). It ends the lease.
	RescheduleMatching(ctx context.Context, id string, rounds int, next time.Time, escalate bool, evs ...events.Envelope) error
	// WakeWaiting makes every waiting delivery (CREATED, not escalated) whose pickup lies
	// in area due at now, and returns how many it woke; one whose matching round is
	// running stays due when that round reschedules it. Idempotent; it leaves the queue's
	// order to ClaimForMatching, so older orders still go first.
	WakeWaiting(ctx context.Context, area domain.BBox, now time.Time) (int, error)

	// Publish writes events that describe no change of dispatch's own tables (an offer
	// lives in the live index) to the outbox in a transaction of their own.
	Publish(ctx context.Context, evs ...events.Envelope) error

	SaveDriver(ctx context.Context, d domain.Driver, at domain.Point, seen time.Time) error
	Driver(ctx context.Context, id string) (domain.Driver, error)
}

// MatchClaim is a delivery leased for one matching round.
type MatchClaim struct {
	Delivery *domain.Delivery
	// Rounds is how many fruitless rounds came before this one.
	Rounds int
	// CreatedAt is the delivery's place in the queue; WaitingSince is when it last
	// entered CREATED (created, or handed back by its courier): its wait for a driver.
	CreatedAt, WaitingSince time.Time
}

// LiveDrivers is the live index as the driver commands use it (adapters.LiveIndex).
type LiveDrivers interface {
	LiveIndex
	GoOnline(ctx context.Context, driverID string, v domain.Vehicle, p domain.Point, now time.Time) (domain.DriverStatus, error)
	// Known is what this replica's in-memory index knows of the driver, without a
	// network call (false: its state has not reached this replica).
	Known(driverID string) (domain.LiveDriver, bool)
	GoOffline(ctx context.Context, driverID string) error
	Accept(ctx context.Context, orderID, driverID string, now time.Time) error
	Finish(ctx context.Context, orderID, driverID string) error
	Driver(ctx context.Context, driverID string) (domain.LiveDriver, error)
}

// LocationPublisher hands position fixes to the driver.location stream
// (adapters.LocationStream), which feeds every replica's index and trackers (this
// replica's at once, the others through Kafka). Publish
// must not block: it runs on updateLocation's hot path.
type LocationPublisher interface {
	Publish(ctx context.Context, fix contracts.DriverLocationV1)
}

// DeliveryAnnouncer tells the order's live trackers (deliveryTracking subscribers on any
// replica) that its delivery changed status, or ended before it existed
// (adapters.LiveIndex over Redis pub/sub). Best effort and non-blocking: trackers also
// re-read the delivery on their own, so a lost announcement only delays them.
type DeliveryAnnouncer interface {
	AnnounceDelivery(ctx context.Context, orderID string, status domain.DeliveryStatus)
}

// Metrics records what operators watch of matching (adapters.Metrics).
type Metrics interface {
	// Offered records a matching round's first offer, took after the round began: the
	// time to find the candidates, rank them, reserve the best driver and record the offer.
	Offered(took time.Duration)
}

type noMetrics struct{}

func (noMetrics) Offered(time.Duration) {}
