package domain

import (
	"strings"
	"time"
)

// Limits of one order.
const (
	MaxLines        = 100
	MaxLineQuantity = 99
	MaxReasonLength = 500
)

// Address is where an order is delivered.
type Address struct {
	Line1, Line2, City, PostalCode, Country string
}

// Location is a WGS84 point (floats are right here: this is not money).
type Location struct {
	Lat, Lng float64
}

// ChosenOption is an option picked for a line, priced by the quote.
type ChosenOption struct {
	ID, Name, GroupID string
	PriceDelta        Money
}

// Line is one line of an order, priced by the restaurants quote when it was placed.
type Line struct {
	MenuItemID string
	Name       string
	Options    []ChosenOption
	Quantity   int
	UnitPrice  Money
	LineTotal  Money
}

// Transition is one entry of an order's timeline.
type Transition struct {
	// Seq numbers an order's transitions from 1 (placing the order).
	Seq      int
	From, To Status
	At       time.Time
	// Actor is who caused it: "customer:<id>", "staff:<id>", "admin:<id>", "wallet",
	// "dispatch", "system:acceptance-deadline".
	Actor  string
	Reason string
	// RefundOf, when set, makes the entry a compensation instead of a status change
	// (From == To): the payment with this id reached the order when it could no longer
	// be paid, and the order asked the wallet to give it back (payment.refund.requested,
	// published with the entry). At most one such entry per payment.
	RefundOf string
}

// IsRefundRequest reports whether t records a refund request rather than a transition.
func (t Transition) IsRefundRequest() bool { return t.RefundOf != "" }

// Order is the aggregate. Fields are read-only outside this package: change an order
// through its methods, which enforce the transition table.
type Order struct {
	ID             string
	CustomerID     string
	RestaurantID   string
	IdempotencyKey string
	Lines          []Line
	Subtotal       Money
	DeliveryFee    Money
	// PointsRedeemed are loyalty points the customer spends on this order. The wallet
	// values them (its loyalty rules: a point is worth at least one minor unit, and
	// points may pay at most a share of an order) and refuses the payment when they are
	// not redeemable.
	PointsRedeemed int64
	// Total is the order's price, Subtotal + DeliveryFee, with the points NOT deducted:
	// the wallet collects Total, redeeming PointsRedeemed points for part of it and
	// charging the rest to the customer's wallet balance (order.created v2 carries both
	// fields with exactly this meaning).
	Total           Money
	DeliveryAddress Address
	DeliveryAt      Location
	Status          Status
	Timeline        []Transition
	// AcceptBy is when an unanswered PAID order is rejected; set while PAID.
	AcceptBy *time.Time
	// PayBy is when a PLACED order the wallet has not answered fails with reason
	// payment_timeout; set while PLACED (nil: no deadline).
	PayBy    *time.Time
	DriverID string
	PlacedAt time.Time
	// Version counts the order's writes (optimistic locking).
	Version int64
}

// NewOrderParams is what placing an order needs; lines come priced from the quote.
type NewOrderParams struct {
	ID, CustomerID, RestaurantID, IdempotencyKey string
	Lines                                        []Line
	DeliveryFee                                  Money
	PointsRedeemed                               int64
	DeliveryAddress                              Address
	DeliveryAt                                   Location
	At                                           time.Time
	// PayWithin is how long the wallet has to answer (0: no payment deadline).
	PayWithin time.Duration
}

// NewOrder checks the parameters, computes the totals and returns a PLACED order.
func NewOrder(p NewOrderParams) (*Order, error) {
	switch {
	case p.ID == "":
		return nil, invalid("id", "is required")
	case p.CustomerID == "":
		return nil, invalid("customerId", "is required")
	case p.RestaurantID == "":
		return nil, invalid("restaurantId", "is required")
	case len(p.Lines) == 0:
		return nil, invalid("lines", "list at least one line")
	case len(p.Lines) > MaxLines:
		return nil, invalid("lines", "at most %d lines, got %d", MaxLines, len(p.Lines))
	case strings.TrimSpace(p.DeliveryAddress.Line1) == "" || strings.TrimSpace(p.DeliveryAddress.City) == "":
		return nil, invalid("deliveryAddress", "line1 and city are required")
	case p.DeliveryAt.Lat < -90 || p.DeliveryAt.Lat > 90 || p.DeliveryAt.Lng < -180 || p.DeliveryAt.Lng > 180:
		return nil, invalid("deliveryLocation", "latitude must be within ±90 and longitude within ±180")
	case p.PointsRedeemed < 0:
		return nil, invalid("pointsToRedeem", "must not be negative")
	case p.DeliveryFee.Minor < 0:
		return nil, invalid("deliveryFee", "must not be negative")
	}
	currency := p.Lines[0].UnitPrice.Currency
	subtotal := Money{Currency: currency}
	for i, l := range p.Lines {
		if l.Quantity < 1 || l.Quantity > MaxLineQuantity {
			return nil, invalid("lines", "line %d: quantity must be 1 to %d, got %d", i, MaxLineQuantity, l.Quantity)
		}
		if l.MenuItemID == "" || l.UnitPrice.Minor < 0 {
			return nil, invalid("lines", "line %d: an item and a non-negative price are required", i)
		}
		want, err := l.UnitPrice.Times(int64(l.Quantity))
		if err != nil || want != l.LineTotal {
			return nil, invalid("lines", "line %d: line total %s is not quantity x unit price", i, l.LineTotal)
		}
		if subtotal, err = subtotal.Add(l.LineTotal); err != nil {
			return nil, invalid("lines", "line %d: %v", i, err)
		}
	}
	if p.DeliveryFee.Currency == "" {
		p.DeliveryFee.Currency = currency
	}
	total, err := subtotal.Add(p.DeliveryFee)
	if err != nil {
		return nil, invalid("deliveryFee", "%v", err)
	}
	// A point is worth at least one minor unit, so more points than the total has minor
	// units can never be redeemed: refuse early rather than fail the payment.
	if p.PointsRedeemed > total.Minor {
		return nil, invalid("pointsToRedeem", "%d points exceed the order total %s", p.PointsRedeemed, total)
	}
	at := p.At.UTC()
	var payBy *time.Time
	if p.PayWithin > 0 {
		by := at.Add(p.PayWithin)
		payBy = &by
	}
	return &Order{
		ID: p.ID, CustomerID: p.CustomerID, RestaurantID: p.RestaurantID, IdempotencyKey: p.IdempotencyKey,
		Lines: p.Lines, Subtotal: subtotal, DeliveryFee: p.DeliveryFee, PointsRedeemed: p.PointsRedeemed,
		Total: total, DeliveryAddress: p.DeliveryAddress, DeliveryAt: p.DeliveryAt,
		Status:   StatusPlaced,
		Timeline: []Transition{{Seq: 1, To: StatusPlaced, At: at, Actor: "customer:" + p.CustomerID}},
		PlacedAt: at, PayBy: payBy,
	}, nil
}

// transition applies s -> to when the table allows it; otherwise the order is left
// exactly as it was.
func (o *Order) transition(to Status, actor, reason string, at time.Time) error {
	if !o.Status.CanBecome(to) {
		return &TransitionError{From: o.Status, To: to}
	}
	if len(reason) > MaxReasonLength {
		return invalid("reason", "at most %d characters", MaxReasonLength)
	}
	o.Timeline = append(o.Timeline, Transition{
		Seq: len(o.Timeline) + 1, From: o.Status, To: to, At: at.UTC(), Actor: actor, Reason: reason,
	})
	o.Status = to
	o.AcceptBy = nil
	o.PayBy = nil
	return nil
}

// MarkPaid records the wallet's payment; the restaurant must answer within acceptWithin.
func (o *Order) MarkPaid(at time.Time, acceptWithin time.Duration) error {
	if err := o.transition(StatusPaid, "wallet", "", at); err != nil {
		return err
	}
	by := at.Add(acceptWithin).UTC()
	o.AcceptBy = &by
	return nil
}

// PaymentTimeout is the reason of a PAYMENT_FAILED the payment deadline caused.
const PaymentTimeout = "payment_timeout"

// PaymentReceived applies the wallet's payment paymentID. A PLACED order becomes PAID
// (the restaurant must answer within acceptWithin). A payment the order already has
// (it was PAID) is old news and changes nothing. A payment for an order that ended
// without being paid (cancelled while PLACED, payment deadline passed) cannot be kept:
// the order records, once per payment, a refund request in its timeline (RefundOf) and
// reports refund = true; the request is what tells the wallet to give the money back.
func (o *Order) PaymentReceived(paymentID string, at time.Time, acceptWithin time.Duration) (refund bool, err error) {
	switch {
	case o.Status == StatusPlaced:
		return false, o.MarkPaid(at, acceptWithin)
	case o.WasPaid():
		return false, nil
	case !o.Status.Terminal():
		return false, &TransitionError{From: o.Status, To: StatusPaid}
	}
	if paymentID == "" {
		return false, invalid("paymentId", "is required to ask for a refund")
	}
	for _, t := range o.Timeline {
		if t.RefundOf == paymentID {
			return false, nil
		}
	}
	o.Timeline = append(o.Timeline, Transition{
		Seq: len(o.Timeline) + 1, From: o.Status, To: o.Status, At: at.UTC(), Actor: "wallet",
		Reason:   "payment " + paymentID + " arrived after the order became " + string(o.Status) + ": refund requested",
		RefundOf: paymentID,
	})
	return true, nil
}

// WasPaid reports whether the order was ever PAID.
func (o *Order) WasPaid() bool {
	for _, t := range o.Timeline {
		if t.To == StatusPaid && !t.IsRefundRequest() {
			return true
		}
	}
	return false
}

// ExpirePayment fails a PLACED order the wallet did not answer by PayBy.
func (o *Order) ExpirePayment(at time.Time) error {
	if o.Status == StatusPlaced && o.PayBy != nil && at.Before(*o.PayBy) {
		return invalid("payBy", "the payment deadline %s has not passed", o.PayBy.Format(time.RFC3339))
	}
	return o.transition(StatusPaymentFailed, "system:payment-deadline", PaymentTimeout, at)
}

// MarkPaymentFailed records that the wallet could not charge the order.
func (o *Order) MarkPaymentFailed(reason string, at time.Time) error {
	return o.transition(StatusPaymentFailed, "wallet", reason, at)
}

// Accept is the restaurant taking a paid order.
func (o *Order) Accept(actor string, at time.Time) error {
	return o.transition(StatusAccepted, actor, "", at)
}

// Reject is the restaurant (or its deadline) turning a paid order down.
func (o *Order) Reject(actor, reason string, at time.Time) error {
	return o.transition(StatusRejected, actor, reason, at)
}

// ExpireAcceptance rejects a paid order the restaurant did not answer by AcceptBy.
func (o *Order) ExpireAcceptance(at time.Time) error {
	if o.Status == StatusPaid && o.AcceptBy != nil && at.Before(*o.AcceptBy) {
		return invalid("acceptBy", "the acceptance deadline %s has not passed", o.AcceptBy.Format(time.RFC3339))
	}
	return o.transition(StatusRejected, "system:acceptance-deadline", "timeout", at)
}

// StartPreparing: the kitchen started on an accepted order.
func (o *Order) StartPreparing(actor string, at time.Time) error {
	return o.transition(StatusPreparing, actor, "", at)
}

// MarkReady: the food waits for the driver.
func (o *Order) MarkReady(actor string, at time.Time) error {
	return o.transition(StatusReadyForPickup, actor, "", at)
}

// AssignDriver records the driver dispatch assigned; the status does not change. The
// assignment and the delivery's progress travel on different topics, so the assignment
// may arrive after the delivery ended: naming the driver the order already has is fine.
func (o *Order) AssignDriver(driverID string) error {
	if driverID == "" {
		return invalid("driverId", "is required")
	}
	if o.Status.Terminal() {
		if o.DriverID == driverID {
			return nil
		}
		return &TransitionError{From: o.Status, To: o.Status}
	}
	o.DriverID = driverID
	return nil
}

// pastPickup reports whether the food has already left the restaurant.
func (s Status) pastPickup() bool { return s == StatusPickedUp || s == StatusDelivered }

// MarkPickedUp: the driver has the food, whatever the kitchen last reported (see
// transitions). driverID, when known, fills in a driver dispatch.assigned has not
// named yet. A pickup reported again, or after the delivery, is old news and changes
// nothing.
func (o *Order) MarkPickedUp(driverID string, at time.Time) error {
	if o.Status.pastPickup() {
		return nil
	}
	if err := o.transition(StatusPickedUp, "dispatch", "", at); err != nil {
		return err
	}
	if o.DriverID == "" {
		o.DriverID = driverID
	}
	return nil
}

// MarkDelivered: the customer has the food. A delivery reported before its pickup (the
// pickup's event was late or lost) records the pickup it implies first, so the timeline
// and the status events keep their order; a repeated delivery changes nothing.
func (o *Order) MarkDelivered(driverID string, at time.Time) error {
	switch {
	case o.Status == StatusDelivered:
		return nil
	case o.Status != StatusPickedUp && !o.Status.CanBecome(StatusPickedUp):
		return &TransitionError{From: o.Status, To: StatusDelivered}
	case o.Status != StatusPickedUp:
		// Cannot fail (checked above), and PICKED_UP -> DELIVERED always can: both or neither.
		if err := o.transition(StatusPickedUp, "dispatch", "implied by the delivery", at); err != nil {
			return err
		}
	}
	if err := o.transition(StatusDelivered, "dispatch", "", at); err != nil {
		return err
	}
	if o.DriverID == "" {
		o.DriverID = driverID
	}
	return nil
}

// FailDelivery: dispatch gave up on an accepted order.
func (o *Order) FailDelivery(reason string, at time.Time) error {
	return o.transition(StatusDeliveryFailed, "dispatch", reason, at)
}

// Cancel is the customer withdrawing the order before the restaurant accepted it.
func (o *Order) Cancel(actor, reason string, at time.Time) error {
	return o.transition(StatusCancelled, actor, reason, at)
}

// LastTransition is the newest timeline entry.
func (o *Order) LastTransition() Transition { return o.Timeline[len(o.Timeline)-1] }
