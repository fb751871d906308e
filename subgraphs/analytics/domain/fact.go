package domain

import "time"

// SchemaVersion is the layout of the event table's columns this code writes. A row keeps
// the version it was written with, so a later layout can tell old rows apart (a new column
// is added with a default; readers of old rows see that default).
const SchemaVersion = 1

// Fact is one domain event as a row of the event table: the envelope's metadata and the
// payload's fields analytics queries, each in a typed column (empty/zero when the event
// type has no such field). EventID is the idempotency key: a fact written twice counts once.
type Fact struct {
	EventID       string
	EventType     string
	EventVersion  int
	SchemaVersion int
	Source        string
	Subject       string
	// OccurredAt is the payload's own time (placed_at, changed_at, paid_at, ...), which the
	// producer set when the thing happened; the envelope's time when the payload has none.
	OccurredAt   time.Time
	OrderID      string
	RestaurantID string
	CustomerID   string
	DriverID     string
	// StatusFrom/StatusTo are the transition of a status event; Reason why (a cancel or
	// rejection reason, a payment failure code, a refund reason).
	StatusFrom string
	StatusTo   string
	Reason     string
	// AmountMinor is the event's money: an order's total, a payment's or refund's amount.
	AmountMinor      int64
	DeliveryFeeMinor int64
	Currency         string
	Lat, Lng         float64
	// Zone is the H3 cell (resolution ZoneResolution) of Lat/Lng: the delivery address of an
	// order, a driver's position.
	Zone string
	// OrderPlacedAt and OrderTotalMinor are the placement time and total of the order an
	// order-related event (status, payment, refund, dispatch, delivery) belongs to, stamped
	// at ingestion from the order's order.created event when the store knows it (zero when
	// it does not yet: the event came before its order's, from another topic). Queries read
	// an order's events by the time it was placed without joining on the order.
	OrderPlacedAt   time.Time
	OrderTotalMinor int64
}

// ZoneResolution is the H3 resolution of Fact.Zone (about 0.7 km² a cell).
const ZoneResolution = 8

// DishFact is one line of an order.created event: what top dishes count.
type DishFact struct {
	EventID      string
	Line         int
	OrderID      string
	RestaurantID string
	OccurredAt   time.Time
	MenuItemID   string
	Name         string
	Quantity     int64
	AmountMinor  int64 // quantity x unit price
}

// Batch is what one write stores: the facts and the dish lines of its order.created events.
type Batch struct {
	Facts  []Fact
	Dishes []DishFact
}

// Len is the number of events in the batch.
func (b Batch) Len() int { return len(b.Facts) }

// Event types and order statuses analytics reads (events/contracts names them too; kept as
// plain strings here so the domain and the SQL share them without importing contracts).
const (
	TypeOrderCreated       = "order.created"
	TypeOrderStatusChanged = "order.status.changed"
	TypePaymentSucceeded   = "payment.success"
	TypePaymentFailed      = "payment.failed"
	TypePaymentRefunded    = "payment.refunded"
	TypeDeliveryStatus     = "delivery.status.changed"
	TypeDispatchAssigned   = "dispatch.assigned"
	TypeDriverLocation     = "driver.location"

	StatusPaid           = "paid"
	StatusAccepted       = "accepted"
	StatusReadyForPickup = "ready_for_pickup"
	StatusPickedUp       = "picked_up"
	StatusDelivered      = "delivered"
	StatusCancelled      = "cancelled"
	StatusPaymentFailed  = "payment_failed"
	StatusRejected       = "rejected"
	StatusDeliveryFailed = "delivery_failed"
)

// DropOffStatuses end an order before delivery: the funnel's drop-off reasons.
var DropOffStatuses = []string{StatusCancelled, StatusPaymentFailed, StatusRejected, StatusDeliveryFailed}
