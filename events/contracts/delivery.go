package contracts

import "time"

// Event types of the delivery aggregate. Subject: the order id, so a delivery's events are
// ordered with the order's own.
const (
	TypeDeliveryStatusChanged = "delivery.status.changed"
	TypeDispatchEscalated     = "dispatch.escalated"
)

// Delivery statuses: DoorDash Drive's states, lower case.
const (
	DeliveryCreated          = "created"
	DeliveryConfirmed        = "confirmed"
	DeliveryEnrouteToPickup  = "enroute_to_pickup"
	DeliveryArrivedAtPickup  = "arrived_at_pickup"
	DeliveryPickedUp         = "picked_up"
	DeliveryEnrouteToDropoff = "enroute_to_dropoff"
	DeliveryArrivedAtDropoff = "arrived_at_dropoff"
	DeliveryDelivered        = "delivered"
	DeliveryCancelled        = "cancelled"
)

// DeliveryStatusChangedV1: a delivery moved from one status to another.
type DeliveryStatusChangedV1 struct {
	DeliveryID string    `json:"delivery_id"`
	OrderID    string    `json:"order_id"`
	DriverID   string    `json:"driver_id,omitempty"`
	From       string    `json:"from,omitempty"` // empty on the first status, created
	To         string    `json:"to"`
	Actor      string    `json:"actor,omitempty"`
	ChangedAt  time.Time `json:"changed_at"`
}

func (DeliveryStatusChangedV1) EventType() string { return TypeDeliveryStatusChanged }
func (DeliveryStatusChangedV1) EventVersion() int { return 1 }

// DispatchEscalatedV1: matching gave up on an order; operations (or the orders saga) act.
type DispatchEscalatedV1 struct {
	DeliveryID  string    `json:"delivery_id"`
	OrderID     string    `json:"order_id"`
	Rounds      int       `json:"rounds"`
	Reason      string    `json:"reason"`
	EscalatedAt time.Time `json:"escalated_at"`
}

func (DispatchEscalatedV1) EventType() string { return TypeDispatchEscalated }
func (DispatchEscalatedV1) EventVersion() int { return 1 }
