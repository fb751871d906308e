package domain

import "strings"

// Status is where an order stands in its lifecycle.
type Status string

// The statuses, in saga order.
const (
	StatusPlaced         Status = "PLACED"
	StatusPaid           Status = "PAID"
	StatusPaymentFailed  Status = "PAYMENT_FAILED"
	StatusAccepted       Status = "ACCEPTED"
	StatusRejected       Status = "REJECTED"
	StatusPreparing      Status = "PREPARING"
	StatusReadyForPickup Status = "READY_FOR_PICKUP"
	StatusPickedUp       Status = "PICKED_UP"
	StatusDelivered      Status = "DELIVERED"
	StatusCancelled      Status = "CANCELLED"
	StatusDeliveryFailed Status = "DELIVERY_FAILED"
)

// Statuses lists every status in saga order.
var Statuses = []Status{StatusPlaced, StatusPaid, StatusPaymentFailed, StatusAccepted, StatusRejected,
	StatusPreparing, StatusReadyForPickup, StatusPickedUp, StatusDelivered, StatusCancelled, StatusDeliveryFailed}

// transitions is the whole state machine: a status may move only to the statuses listed
// for it. Terminal statuses have no entry.
//
// PICKED_UP is reachable from every kitchen status, not only READY_FOR_PICKUP: the
// courier confirming pickup is the fact that the food changed hands, while the kitchen's
// "preparing" and "ready" taps are signals many restaurants skip or make late (as on
// Uber Eats and DoorDash, where the restaurant's ready signal never gates the courier).
// Refusing the pickup would leave a courier with the food and an order that can never be
// delivered.
var transitions = map[Status][]Status{
	StatusPlaced:         {StatusPaid, StatusPaymentFailed, StatusCancelled},
	StatusPaid:           {StatusAccepted, StatusRejected, StatusCancelled},
	StatusAccepted:       {StatusPreparing, StatusPickedUp, StatusDeliveryFailed},
	StatusPreparing:      {StatusReadyForPickup, StatusPickedUp, StatusDeliveryFailed},
	StatusReadyForPickup: {StatusPickedUp, StatusDeliveryFailed},
	StatusPickedUp:       {StatusDelivered, StatusDeliveryFailed},
}

// CanBecome reports whether the table allows s -> to.
func (s Status) CanBecome(to Status) bool {
	for _, t := range transitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// Terminal reports whether no transition leaves s.
func (s Status) Terminal() bool { return len(transitions[s]) == 0 }

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// EventName is the status as event contracts spell it (lower case: "ready_for_pickup").
func (s Status) EventName() string { return strings.ToLower(string(s)) }
