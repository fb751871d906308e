package domain

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// The speed model: straight-line distance times a detour factor (streets are not
// straight: 1.35 is the usual road/crow ratio in a grid-ish city) at an average urban
// speed per vehicle, plus a fixed handover (parking, finding the counter). Bicycles
// are slower but skip the parking, so a bicycle 1 km away can beat a car 1.5 km away:
// that is why matching ranks by estimated time, not distance.
const detourFactor = 1.35

var vehicleSpeedKph = map[Vehicle]float64{
	VehicleBicycle: 14,
	VehicleScooter: 22,
	VehicleCar:     24,
}

var vehicleHandover = map[Vehicle]time.Duration{
	VehicleBicycle: 30 * time.Second,
	VehicleScooter: 45 * time.Second,
	VehicleCar:     90 * time.Second,
}

// TravelTime estimates how long v takes from a to b.
func TravelTime(a, b Point, v Vehicle) time.Duration {
	speed, ok := vehicleSpeedKph[v]
	if !ok {
		v, speed = VehicleScooter, vehicleSpeedKph[VehicleScooter]
	}
	meters := DistanceMeters(a, b) * detourFactor
	secs := meters / (speed * 1000 / 3600)
	return time.Duration(secs*float64(time.Second)) + vehicleHandover[v]
}

// Candidate is an available driver near a pickup.
type Candidate struct {
	DriverID string
	Vehicle  Vehicle
	At       Point
	// PickupTime is filled by RankByPickupTime.
	PickupTime time.Duration
}

// RankByPickupTime estimates every candidate's time to pickup and sorts them fastest
// first (driver id breaks ties, so ranking is deterministic).
func RankByPickupTime(pickup Point, cs []Candidate) {
	for i := range cs {
		cs[i].PickupTime = TravelTime(cs[i].At, pickup, cs[i].Vehicle)
	}
	slices.SortFunc(cs, func(a, b Candidate) int {
		if c := cmp.Compare(a.PickupTime, b.PickupTime); c != 0 {
			return c
		}
		return strings.Compare(a.DriverID, b.DriverID)
	})
}
