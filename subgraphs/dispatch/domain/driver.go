package domain

import (
	"errors"
	"fmt"
	"time"
)

// DriverStatus is where a driver is in the dispatch cycle.
type DriverStatus string

// Driver statuses. Only AVAILABLE drivers are in the live index and can be offered an
// order; OFFERED holds exactly one offer; ON_DELIVERY holds exactly one delivery.
const (
	DriverOffline    DriverStatus = "OFFLINE"
	DriverAvailable  DriverStatus = "AVAILABLE"
	DriverOffered    DriverStatus = "OFFERED"
	DriverOnDelivery DriverStatus = "ON_DELIVERY"
)

// Valid reports whether s is a known status.
func (s DriverStatus) Valid() bool {
	switch s {
	case DriverOffline, DriverAvailable, DriverOffered, DriverOnDelivery:
		return true
	}
	return false
}

// ErrIllegalTransition is wrapped by every refused state change.
var ErrIllegalTransition = errors.New("illegal transition")

// driverMoves lists, per status, the statuses a driver may move to.
var driverMoves = map[DriverStatus][]DriverStatus{
	DriverOffline:    {DriverAvailable},
	DriverAvailable:  {DriverOffline, DriverOffered},
	DriverOffered:    {DriverAvailable, DriverOnDelivery}, // declined or timed out; accepted
	DriverOnDelivery: {DriverAvailable},                   // delivered or unassigned
}

// CanDriverMove reports whether a driver may go from one status to another.
func CanDriverMove(from, to DriverStatus) bool {
	for _, s := range driverMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Vehicle decides how fast a driver moves through a city.
type Vehicle string

// Vehicles.
const (
	VehicleBicycle Vehicle = "BICYCLE"
	VehicleScooter Vehicle = "SCOOTER"
	VehicleCar     Vehicle = "CAR"
)

// Driver is a courier as dispatch sees it.
type Driver struct {
	ID      string
	UserID  string
	Vehicle Vehicle
	Status  DriverStatus
	// OrderID is the order offered to or delivered by the driver ("" when none).
	OrderID string
}

// LiveDriver is a driver as the live index holds it.
type LiveDriver struct {
	Status   DriverStatus
	At       Point
	OrderID  string
	LastSeen time.Time
	// OfferUntil is when the held offer lapses (zero unless OFFERED).
	OfferUntil time.Time
	// Vehicle is the one the driver went online with ("" when unknown).
	Vehicle Vehicle
}

// GoOnline makes an offline driver available.
func (d *Driver) GoOnline() error { return d.move(DriverAvailable) }

// GoOffline takes an available driver out of matching; a driver holding an offer or a
// delivery must finish (or decline) it first.
func (d *Driver) GoOffline() error { return d.move(DriverOffline) }

func (d *Driver) move(to DriverStatus) error {
	if d.Status == to {
		return nil
	}
	if !CanDriverMove(d.Status, to) {
		return fmt.Errorf("driver %s %s -> %s: %w", d.ID, d.Status, to, ErrIllegalTransition)
	}
	d.Status = to
	return nil
}
