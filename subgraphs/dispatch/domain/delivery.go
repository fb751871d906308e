package domain

import (
	"fmt"
	"time"
)

// DeliveryStatus is a superset of DoorDash Drive's delivery states.
type DeliveryStatus string

// Delivery statuses, in the order a delivery normally goes through them.
const (
	DeliveryCreated          DeliveryStatus = "CREATED"
	DeliveryConfirmed        DeliveryStatus = "CONFIRMED" // a driver accepted
	DeliveryEnrouteToPickup  DeliveryStatus = "ENROUTE_TO_PICKUP"
	DeliveryArrivedAtPickup  DeliveryStatus = "ARRIVED_AT_PICKUP"
	DeliveryPickedUp         DeliveryStatus = "PICKED_UP"
	DeliveryEnrouteToDropoff DeliveryStatus = "ENROUTE_TO_DROPOFF"
	DeliveryArrivedAtDropoff DeliveryStatus = "ARRIVED_AT_DROPOFF"
	DeliveryDelivered        DeliveryStatus = "DELIVERED"
	DeliveryCancelled        DeliveryStatus = "CANCELLED"
)

// deliveryMoves is the state machine. Forward steps may be skipped (a driver app that
// reports only "picked up" and "delivered" is fine); backwards is only the unassign
// edge to CREATED, allowed until the food is in the driver's hands.
var deliveryMoves = map[DeliveryStatus][]DeliveryStatus{
	DeliveryCreated:          {DeliveryConfirmed, DeliveryCancelled},
	DeliveryConfirmed:        {DeliveryEnrouteToPickup, DeliveryArrivedAtPickup, DeliveryPickedUp, DeliveryCreated, DeliveryCancelled},
	DeliveryEnrouteToPickup:  {DeliveryArrivedAtPickup, DeliveryPickedUp, DeliveryCreated, DeliveryCancelled},
	DeliveryArrivedAtPickup:  {DeliveryPickedUp, DeliveryCreated, DeliveryCancelled},
	DeliveryPickedUp:         {DeliveryEnrouteToDropoff, DeliveryArrivedAtDropoff, DeliveryDelivered},
	DeliveryEnrouteToDropoff: {DeliveryArrivedAtDropoff, DeliveryDelivered},
	DeliveryArrivedAtDropoff: {DeliveryDelivered},
	DeliveryDelivered:        nil,
	DeliveryCancelled:        nil,
}

// CanDeliveryMove reports whether the state machine allows from -> to.
func CanDeliveryMove(from, to DeliveryStatus) bool {
	for _, s := range deliveryMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Terminal reports whether no move leaves s.
func (s DeliveryStatus) Terminal() bool { return s == DeliveryDelivered || s == DeliveryCancelled }

// Transition records one status change with its time and actor.
type Transition struct {
	From, To DeliveryStatus
	At       time.Time
	Actor    string // "driver:<id>", "admin:<id>", "system", "order:<id>"
}

// Delivery takes one order from the restaurant to the customer.
type Delivery struct {
	ID           string
	OrderID      string
	CustomerID   string
	RestaurantID string
	Pickup       Point
	Dropoff      Point
	DriverID     string // "" while CREATED
	Status       DeliveryStatus
	PickupETA    time.Time
	DropoffETA   time.Time
	Timeline     []Transition
}

// NewDelivery is a delivery waiting for a driver.
func NewDelivery(id, orderID, customerID, restaurantID string, pickup, dropoff Point, now time.Time) (*Delivery, error) {
	if id == "" || orderID == "" || restaurantID == "" {
		return nil, fmt.Errorf("new delivery: id, order and restaurant are required")
	}
	if !pickup.Valid() || !dropoff.Valid() {
		return nil, fmt.Errorf("new delivery %s: pickup %v or dropoff %v is not a coordinate", id, pickup, dropoff)
	}
	return &Delivery{
		ID: id, OrderID: orderID, CustomerID: customerID, RestaurantID: restaurantID,
		Pickup: pickup, Dropoff: dropoff, Status: DeliveryCreated,
		Timeline: []Transition{{To: DeliveryCreated, At: now, Actor: "order:" + orderID}},
	}, nil
}

// Assign gives the delivery to the driver who accepted its offer.
func (d *Delivery) Assign(driverID string, pickupETA, now time.Time) error {
	if driverID == "" {
		return fmt.Errorf("assign delivery %s: no driver", d.ID)
	}
	if err := d.move(DeliveryConfirmed, now, "driver:"+driverID); err != nil {
		return err
	}
	d.DriverID, d.PickupETA = driverID, pickupETA
	return nil
}

// Unassign sends the delivery back to CREATED so matching finds another driver.
func (d *Delivery) Unassign(now time.Time, actor string) error {
	if err := d.move(DeliveryCreated, now, actor); err != nil {
		return err
	}
	d.DriverID, d.PickupETA, d.DropoffETA = "", time.Time{}, time.Time{}
	return nil
}

// Advance moves the delivery forward on behalf of its driver.
func (d *Delivery) Advance(to DeliveryStatus, driverID string, now time.Time) error {
	if driverID != d.DriverID || d.DriverID == "" {
		return fmt.Errorf("delivery %s belongs to another driver: %w", d.ID, ErrNotYourDelivery)
	}
	if to == DeliveryCreated || to == DeliveryCancelled || to == DeliveryConfirmed {
		return fmt.Errorf("delivery %s: a driver cannot move it to %s: %w", d.ID, to, ErrIllegalTransition)
	}
	return d.move(to, now, "driver:"+driverID)
}

// Cancel stops the delivery (the order was cancelled).
func (d *Delivery) Cancel(now time.Time, actor string) error {
	return d.move(DeliveryCancelled, now, actor)
}

func (d *Delivery) move(to DeliveryStatus, now time.Time, actor string) error {
	if !CanDeliveryMove(d.Status, to) {
		return fmt.Errorf("delivery %s %s -> %s: %w", d.ID, d.Status, to, ErrIllegalTransition)
	}
	d.Timeline = append(d.Timeline, Transition{From: d.Status, To: to, At: now, Actor: actor})
	d.Status = to
	return nil
}
