package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/uber/h3-go/v4"

	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

var (
	restaurant = domain.Point{Lat: 41.3111, Lng: 69.2797}
	customer   = domain.Point{Lat: 41.3250, Lng: 69.2900}
	t0         = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
)

func TestDriver_movesOnlyAlongTheDispatchCycle(t *testing.T) {
	cases := []struct {
		from, to domain.DriverStatus
		ok       bool
	}{
		{domain.DriverOffline, domain.DriverAvailable, true},
		{domain.DriverAvailable, domain.DriverOffered, true},
		{domain.DriverOffered, domain.DriverOnDelivery, true},
		{domain.DriverOffered, domain.DriverAvailable, true},
		{domain.DriverOnDelivery, domain.DriverAvailable, true},
		{domain.DriverAvailable, domain.DriverOffline, true},
		{domain.DriverOffline, domain.DriverOffered, false},
		{domain.DriverOffered, domain.DriverOffline, false},
		{domain.DriverOnDelivery, domain.DriverOffline, false},
		{domain.DriverAvailable, domain.DriverOnDelivery, false},
	}
	for _, c := range cases {
		if got := domain.CanDriverMove(c.from, c.to); got != c.ok {
			t.Errorf("%s -> %s allowed = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}

func TestDriver_cannotGoOfflineWhileDelivering(t *testing.T) {
	d := domain.Driver{ID: "d1", Status: domain.DriverOnDelivery}
	if err := d.GoOffline(); !errors.Is(err, domain.ErrIllegalTransition) {
		t.Fatalf("GoOffline on delivery = %v, want ErrIllegalTransition", err)
	}
	d.Status = domain.DriverAvailable
	if err := d.GoOffline(); err != nil || d.Status != domain.DriverOffline {
		t.Fatalf("GoOffline when available = %v, status %s", err, d.Status)
	}
}

func TestDelivery_followsTheDoorDashDriveStatesAndRecordsWhoMovedIt(t *testing.T) {
	d, err := domain.NewDelivery("del-1", "ord-1", "cust-1", "rest-1", restaurant, customer, t0)
	if err != nil {
		t.Fatal(err)
	}
	steps := []domain.DeliveryStatus{domain.DeliveryEnrouteToPickup, domain.DeliveryArrivedAtPickup,
		domain.DeliveryPickedUp, domain.DeliveryEnrouteToDropoff, domain.DeliveryArrivedAtDropoff, domain.DeliveryDelivered}
	if err := d.Assign("drv-1", t0.Add(5*time.Minute), t0); err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		if err := d.Advance(s, "drv-1", t0.Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatalf("advance to %s: %v", s, err)
		}
	}
	if !d.Status.Terminal() || len(d.Timeline) != 8 || d.Timeline[1].Actor != "driver:drv-1" {
		t.Fatalf("status %s, timeline %+v", d.Status, d.Timeline)
	}
}

func TestDelivery_goesBackToCreatedWhenTheDriverUnassignsBeforePickup(t *testing.T) {
	d, _ := domain.NewDelivery("del-1", "ord-1", "cust-1", "rest-1", restaurant, customer, t0)
	_ = d.Assign("drv-1", t0, t0)
	_ = d.Advance(domain.DeliveryArrivedAtPickup, "drv-1", t0)
	if err := d.Unassign(t0, "driver:drv-1"); err != nil {
		t.Fatal(err)
	}
	if d.Status != domain.DeliveryCreated || d.DriverID != "" {
		t.Fatalf("after unassign: status %s driver %q", d.Status, d.DriverID)
	}
	_ = d.Assign("drv-2", t0, t0)
	_ = d.Advance(domain.DeliveryPickedUp, "drv-2", t0)
	if err := d.Unassign(t0, "driver:drv-2"); !errors.Is(err, domain.ErrIllegalTransition) {
		t.Fatalf("unassign after pickup = %v, want ErrIllegalTransition", err)
	}
}

func TestDelivery_refusesIllegalMovesAndOtherDrivers(t *testing.T) {
	cases := []struct {
		from, to domain.DeliveryStatus
		ok       bool
	}{
		{domain.DeliveryCreated, domain.DeliveryPickedUp, false},
		{domain.DeliveryDelivered, domain.DeliveryCreated, false},
		{domain.DeliveryCancelled, domain.DeliveryConfirmed, false},
		{domain.DeliveryPickedUp, domain.DeliveryCancelled, false},
		{domain.DeliveryConfirmed, domain.DeliveryPickedUp, true},
		{domain.DeliveryPickedUp, domain.DeliveryDelivered, true},
	}
	for _, c := range cases {
		if got := domain.CanDeliveryMove(c.from, c.to); got != c.ok {
			t.Errorf("%s -> %s allowed = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
	d, _ := domain.NewDelivery("del-1", "ord-1", "cust-1", "rest-1", restaurant, customer, t0)
	_ = d.Assign("drv-1", t0, t0)
	if err := d.Advance(domain.DeliveryPickedUp, "drv-2", t0); !errors.Is(err, domain.ErrNotYourDelivery) {
		t.Fatalf("another driver advancing = %v, want ErrNotYourDelivery", err)
	}
}

func TestDistanceMeters_matchesKnownDistances(t *testing.T) {
	// One degree of latitude is ~111.2 km everywhere.
	if d := domain.DistanceMeters(domain.Point{Lat: 41, Lng: 69}, domain.Point{Lat: 42, Lng: 69}); d < 111_000 || d > 111_400 {
		t.Fatalf("1° of latitude = %.0f m", d)
	}
	if d := domain.DistanceMeters(restaurant, restaurant); d != 0 {
		t.Fatalf("distance to itself = %f", d)
	}
}

func TestRankByPickupTime_prefersTheFasterCourierOverTheNearerOne(t *testing.T) {
	// A car 1.1 km away (24 km/h, 90 s handover: ~5.2 min) beats a bicycle 0.9 km away
	// (14 km/h, 30 s handover: ~5.7 min): ranking is by time, not distance.
	car := domain.Candidate{DriverID: "car", Vehicle: domain.VehicleCar, At: domain.Point{Lat: restaurant.Lat + 0.0099, Lng: restaurant.Lng}}
	bike := domain.Candidate{DriverID: "bike", Vehicle: domain.VehicleBicycle, At: domain.Point{Lat: restaurant.Lat + 0.0081, Lng: restaurant.Lng}}
	cs := []domain.Candidate{bike, car}
	domain.RankByPickupTime(restaurant, cs)
	if cs[0].PickupTime > cs[1].PickupTime {
		t.Fatalf("not sorted: %+v", cs)
	}
	if cs[0].DriverID != "car" {
		t.Fatalf("the car (%s) should beat the slower bicycle (%s)", cs[1].PickupTime, cs[0].PickupTime)
	}
	if eta := domain.TravelTime(restaurant, customer, domain.VehicleScooter); eta < 3*time.Minute || eta > 8*time.Minute {
		t.Fatalf("scooter ETA over ~1.8 km = %s, want a few minutes", eta)
	}
}

func TestRings_growAroundTheRestaurantCell(t *testing.T) {
	rings := domain.Rings(restaurant, domain.MaxRing)
	want := []int{1, 6, 12, 18, 24}
	for k, ring := range rings {
		if len(ring) != want[k] {
			t.Errorf("ring %d has %d cells, want %d", k, len(ring), want[k])
		}
	}
	if rings[0][0] != domain.CellOf(restaurant) {
		t.Fatalf("ring 0 = %s, want the restaurant's cell %s", rings[0][0], domain.CellOf(restaurant))
	}
}

func TestMatchReach_coversEveryCourierTheRingsCanFindAndItsBoxHoldsThem(t *testing.T) {
	pickup := domain.Point{Lat: 41.3111, Lng: 69.2797}
	rings := domain.Rings(pickup, domain.MaxRing)
	reach := domain.MatchReachMeters()
	box := domain.BBoxAround(pickup, reach)
	for _, c := range rings[domain.MaxRing] { // the farthest cells matching reads
		var centre domain.Point
		centre.Lat, centre.Lng = cellCentre(t, c)
		if d := domain.DistanceMeters(pickup, centre); d > reach {
			t.Fatalf("cell %s is %.0f m away, beyond the reach %.0f m", c, d, reach)
		}
		if !box.Contains(centre) {
			t.Fatalf("cell %s at %v outside the box %+v", c, centre, box)
		}
	}
	if far := (domain.Point{Lat: pickup.Lat + 1, Lng: pickup.Lng}); box.Contains(far) {
		t.Fatalf("a point ~110 km away is inside the box %+v", box)
	}
}

func cellCentre(t *testing.T, c domain.Cell) (lat, lng float64) {
	t.Helper()
	ll := h3.Cell(h3.IndexFromString(string(c))).LatLng()
	return ll.Lat, ll.Lng
}
