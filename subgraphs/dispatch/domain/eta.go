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
	return PaceOf(v).Time(DistanceMeters(a, b))
}

// Pace is a vehicle's speed model, looked up once (matching estimates hundreds of
// pickup times per decision).
type Pace struct {
	metersPerSecond float64
	handover        time.Duration
}

// PaceOf is v's pace (a scooter's for an unknown vehicle, as TravelTime assumes).
func PaceOf(v Vehicle) Pace {
	speed, ok := vehicleSpeedKph[v]
	if !ok {
		v, speed = VehicleScooter, vehicleSpeedKph[VehicleScooter]
	}
	return Pace{metersPerSecond: speed * 1000 / 3600, handover: vehicleHandover[v]}
}

// Time is how long the vehicle takes for a straight-line distance of meters.
func (p Pace) Time(meters float64) time.Duration {
	secs := meters * detourFactor / p.metersPerSecond
	return time.Duration(secs*float64(time.Second)) + p.handover
}

// PickupBefore reports whether candidate a (pickup time ta) ranks before b (tb) in
// RankByPickupTime's order: faster first, the driver id breaking ties.
func PickupBefore(ta time.Duration, a string, tb time.Duration, b string) bool {
	return ta < tb || ta == tb && a < b
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
