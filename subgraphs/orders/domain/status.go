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
var transitions = map[Status][]Status{
	StatusPlaced:         {StatusPaid, StatusPaymentFailed, StatusCancelled},
	StatusPaid:           {StatusAccepted, StatusRejected, StatusCancelled},
	StatusAccepted:       {StatusPreparing, StatusDeliveryFailed},
	StatusPreparing:      {StatusReadyForPickup, StatusDeliveryFailed},
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
