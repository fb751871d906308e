package contracts

import "time"

// Event types of drivers and dispatch.
const (
	// Subject: the driver id.
	TypeDriverLocation = "driver.location"
	// Subject: the order id.
	TypeDispatchAssigned = "dispatch.assigned"
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
