package contracts

import "time"

// Event types of drivers and dispatch.
const (
	// Subject: the driver id.
	TypeDriverLocation = "driver.location"
	// Subject: the order id.
	TypeDispatchAssigned = "dispatch.assigned"
	// Subject: the order id.
	TypeDispatchOffered = "dispatch.offered"
	// Subject: the order id.
	TypeDispatchUnassigned = "dispatch.unassigned"
)

// DriverLocationV1: a driver's position fix. Coordinates are WGS84 degrees (floats are
// right here: this is not money).
type DriverLocationV1 struct {
	DriverID   string    `json:"driver_id"`
	Lat        float64   `json:"lat"`
	Lng        float64   `json:"lng"`
	HeadingDeg *float64  `json:"heading_deg,omitempty"`
	SpeedKph   *float64  `json:"speed_kph,omitempty"`
	OrderID    string    `json:"order_id,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

func (DriverLocationV1) EventType() string { return TypeDriverLocation }
func (DriverLocationV1) EventVersion() int { return 1 }

// DispatchAssignedV1: a driver was assigned to deliver an order.
type DispatchAssignedV1 struct {
	OrderID      string    `json:"order_id"`
	DriverID     string    `json:"driver_id"`
	RestaurantID string    `json:"restaurant_id"`
	PickupETA    time.Time `json:"pickup_eta"`
	AssignedAt   time.Time `json:"assigned_at"`
}

func (DispatchAssignedV1) EventType() string { return TypeDispatchAssigned }
func (DispatchAssignedV1) EventVersion() int { return 1 }

// DispatchOfferedV1: an order was offered to a driver, who has until ExpiresAt to accept
// or decline it. One event per offer (a driver is offered an order at most once).
type DispatchOfferedV1 struct {
	DeliveryID   string    `json:"delivery_id"`
	OrderID      string    `json:"order_id"`
	DriverID     string    `json:"driver_id"`
	RestaurantID string    `json:"restaurant_id"`
	PickupETA    time.Time `json:"pickup_eta"`
	ExpiresAt    time.Time `json:"expires_at"`
	OfferedAt    time.Time `json:"offered_at"`
}

func (DispatchOfferedV1) EventType() string { return TypeDispatchOffered }
func (DispatchOfferedV1) EventVersion() int { return 1 }

// DispatchUnassignedV1: the driver assigned to an order no longer delivers it (handed it
// back before pickup); the delivery waits for another driver. Actor says who did it.
type DispatchUnassignedV1 struct {
	DeliveryID   string    `json:"delivery_id"`
	OrderID      string    `json:"order_id"`
	DriverID     string    `json:"driver_id"`
	Actor        string    `json:"actor"`
	UnassignedAt time.Time `json:"unassigned_at"`
}

func (DispatchUnassignedV1) EventType() string { return TypeDispatchUnassigned }
func (DispatchUnassignedV1) EventVersion() int { return 1 }
