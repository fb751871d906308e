package domain

import "time"

// Breakdown names what sales are broken down by.
type Breakdown string

// Breakdowns of sales over a range.
const (
	ByRestaurant Breakdown = "RESTAURANT"
	ByZone       Breakdown = "ZONE"
)

// SalesRow is one restaurant's or zone's orders and GMV over a range.
type SalesRow struct {
	Key      string
	Orders   int64
	GMVMinor int64
}

// Funnel counts the orders placed in a range that reached each step, and why the others
// dropped off.
type Funnel struct {
	Placed, Paid, Accepted, Delivered int64
	DropOffs                          []DropOff
}

// DropOff is how many orders ended in Status (cancelled, payment_failed, rejected,
// delivery_failed) for Reason.
type DropOff struct {
	Status string
	Reason string
	Orders int64
}

// Quantiles are p50/p90/p99 of a duration, in seconds (0 when nothing was measured).
type Quantiles struct {
	P50, P90, P99 float64
	Count         int64
}

// DeliveryTimes are the quantiles of delivered orders' total time (placed -> delivered)
// and of its parts: waiting for the restaurant to accept, the kitchen (accepted -> ready),
// the pickup (ready -> picked up) and the drive (picked up -> delivered).
type DeliveryTimes struct {
	Total, Acceptance, Kitchen, Pickup, Drive Quantiles
}

// DriverFigures are one driver's over a range. Online and busy minutes are the distinct
// minutes with a location report (busy: one that carries an order). Earnings are the
// driver's share of the totals of the orders the driver delivered: the wallet pays the
// driver a fixed share (basis points, wallet's driver_bps) of each settled order; no event
// carries the settled amount, so analytics applies the same share (rounded down per order).
type DriverFigures struct {
	DriverID      string
	OnlineMinutes int64
	BusyMinutes   int64
	Deliveries    int64
	EarningsMinor int64
}

// Utilisation is busy/online (0 when never online).
func (d DriverFigures) Utilisation() float64 {
	if d.OnlineMinutes == 0 {
		return 0
	}
	return float64(d.BusyMinutes) / float64(d.OnlineMinutes)
}

// Rates are the cancellations and refunds among the orders placed in a range.
type Rates struct {
	Placed         int64
	Cancelled      int64 // ended cancelled, rejected, payment_failed or delivery_failed
	Refunded       int64 // orders with at least one refund
	RefundedMinor  int64
	CancelledShare float64
	RefundedShare  float64
}

// Fill computes the shares from the counts.
func (r *Rates) Fill() {
	if r.Placed > 0 {
		r.CancelledShare = float64(r.Cancelled) / float64(r.Placed)
		r.RefundedShare = float64(r.Refunded) / float64(r.Placed)
	}
}

// Dish is one dish's quantity and revenue over a range.
type Dish struct {
	MenuItemID   string
	Name         string
	RestaurantID string
	Quantity     int64
	RevenueMinor int64
}

// Live are the admin dashboard's live figures at At.
type Live struct {
	At              time.Time
	OrdersPerMinute int64 // orders placed in the last minute
	GMVTodayMinor   int64 // since midnight in the zone asked for
	ActiveDrivers   int64 // drivers who reported a location in the last five minutes
	OpenOrders      int64 // placed in the last day, not yet delivered nor ended
}

// Live windows.
const (
	ActiveDriverWindow = 5 * time.Minute
	OpenOrderWindow    = 24 * time.Hour
)
